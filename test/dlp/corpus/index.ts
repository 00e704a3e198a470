import { emailCorpus, phoneCorpus } from './contact.js';
import { creditCardCorpus, ibanCorpus } from './financial.js';
import { genericCorpus } from './generic.js';
import { anthropicCorpus, awsAccessKeyIdCorpus, awsSecretCorpus, githubCorpus, googleCorpus, openaiCorpus, slackCorpus, stripeCorpus } from './keys.js';
import { usSsnCorpus } from './national-id.js';
import { ipv4Corpus, ipv6Corpus } from './network.js';
import type { Corpus } from './rng.js';
import { jwtCorpus, privateKeyCorpus } from './tokens.js';

export { Rng, type Corpus, type Sample } from './rng.js';

/** One generated corpus per built-in detector. */
export const CORPORA: readonly Corpus[] = [
  emailCorpus,
  phoneCorpus,
  creditCardCorpus,
  usSsnCorpus,
  ibanCorpus,
  ipv4Corpus,
  ipv6Corpus,
  jwtCorpus,
  privateKeyCorpus,
  awsAccessKeyIdCorpus,
  awsSecretCorpus,
  openaiCorpus,
  anthropicCorpus,
  githubCorpus,
  slackCorpus,
  googleCorpus,
  stripeCorpus,
  genericCorpus,
];

import { anthropicApiKey, openaiApiKey } from './ai-keys.js';
import { awsAccessKeyId, awsSecretAccessKey, googleApiKey } from './cloud-keys.js';
import { email, phone } from './contact.js';
import { githubToken, slackToken, stripeKey } from './dev-tokens.js';
import { creditCard, iban } from './financial.js';
import { genericSecret } from './generic-secret.js';
import { usSsn } from './national-id.js';
import { ipv4, ipv6 } from './network.js';
import { jwt, privateKey } from './tokens.js';
import type { DetectorSpec } from './types.js';

export type { DetectorSpec, Verdict } from './types.js';

/** Every built-in detector, by the id tenants name in `dlp.detectors`. */
export const BUILTIN_DETECTORS: ReadonlyMap<string, DetectorSpec> = new Map(
  [
    email,
    phone,
    creditCard,
    usSsn,
    iban,
    ipv4,
    ipv6,
    jwt,
    privateKey,
    awsAccessKeyId,
    awsSecretAccessKey,
    openaiApiKey,
    anthropicApiKey,
    githubToken,
    slackToken,
    googleApiKey,
    stripeKey,
    genericSecret,
  ].map((d) => [d.id, d]),
);

export const BUILTIN_DETECTOR_IDS: readonly string[] = [...BUILTIN_DETECTORS.keys()];

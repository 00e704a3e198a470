import { base62, crc32 } from '../../../proxy/dlp/detectors/checks.js';
import { ALNUM, B64, B64URL, DIGITS, HEX, LOWER, UPPER, roundRobin, whole, type Corpus, type Rng } from './rng.js';

const AWS_PREFIXES = ['AKIA', 'ASIA', 'AIDA', 'AROA', 'ANPA', 'APKA'];
const BASE32 = UPPER + '234567';

export const awsAccessKeyIdCorpus: Corpus = {
  detector: 'aws_access_key_id',
  positives: (rng, n) => Array.from({ length: n }, () => whole(rng.pick(AWS_PREFIXES) + rng.chars(BASE32, 16))),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => `AKIA${rng.chars(BASE32, 9)}EXAMPLE`,
      () => 'AKIAIOSFODNN7EXAMPLE',
      () => (rng.pick(AWS_PREFIXES) + rng.chars(BASE32, 16)).toLowerCase(),
      () => rng.pick(['AKIB', 'AKAI', 'XKIA', 'AAIA']) + rng.chars(BASE32, 16),
      () => rng.pick(AWS_PREFIXES) + rng.chars(BASE32, 15),
      () => rng.pick(AWS_PREFIXES) + rng.chars(BASE32, 17),
      () => 'AKIAXXXXXXXXXXXXXXXX',
      () => `X${rng.pick(AWS_PREFIXES)}${rng.chars(BASE32, 16)}`,
    ]),
};

const SECRET_KEYWORDS = ['AWS_SECRET_ACCESS_KEY=', 'aws_secret_access_key = ', '"aws_secret_access_key": "', 'SecretAccessKey: ', 'aws-secret-key: ', '--aws-secret-access-key ', "export AWS_SECRET_ACCESS_KEY='"];

export const awsSecretCorpus: Corpus = {
  detector: 'aws_secret_access_key',
  positives: (rng, n) =>
    Array.from({ length: n }, () => {
      const value = rng.chars(B64, 40);
      const keyword = rng.pick(SECRET_KEYWORDS);
      const close = keyword.endsWith('"') ? '"' : keyword.endsWith("'") ? "'" : '';
      return { text: `${keyword}${value}${close}`, value };
    }),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      () => `${rng.pick(SECRET_KEYWORDS)}${rng.chars(B64, 39)}`,
      () => `${rng.pick(SECRET_KEYWORDS)}${rng.chars(B64, 41)}`,
      () => `checksum ${rng.chars(B64, 40)}`,
      () => `${rng.pick(SECRET_KEYWORDS)}${'Ab'.repeat(20)}`,
      () => `the AWS secret key is ${rng.chars(B64, 40)}`,
    ]),
};

const OPENAI_BODY = ALNUM + '-_';

export const openaiCorpus: Corpus = {
  detector: 'openai_api_key',
  positives: (rng, n) =>
    roundRobin(n, [
      () => whole(`sk-${rng.chars(ALNUM, 20)}T3BlbkFJ${rng.chars(ALNUM, 20)}`),
      () => whole(`sk-proj-${rng.chars(OPENAI_BODY, 74)}T3BlbkFJ${rng.chars(OPENAI_BODY, 74)}`),
      () => whole(`sk-proj-${rng.chars(OPENAI_BODY, 156)}`),
      () => whole(`sk-svcacct-${rng.chars(OPENAI_BODY, 120)}`),
      () => whole(`sk-admin-${rng.chars(OPENAI_BODY, 80)}`),
      () => whole(`sk-${rng.chars(ALNUM, 48)}`),
      () => whole(`sk-${rng.chars(HEX, 32)}`),
    ]),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => `sk-your-api-key-here-${rng.chars(LOWER, 8)}`,
      () => `sk-${'x'.repeat(rng.int(30, 48))}`,
      () => `sk-${rng.chars(ALNUM, 19)}`,
      () => `sk-ant-api03-${rng.chars(OPENAI_BODY, 93)}AA`,
      () => `sk_live_${rng.chars(ALNUM, 24)}`,
      () => `task-${rng.chars(ALNUM, 30)}`,
      () => `sk-proj-${rng.chars(OPENAI_BODY, 25)}`,
      () => `sk-${['my', 'cool', 'project', 'name', 'for', 'testing', 'things'].join('-')}-${rng.chars(LOWER, 5)}`,
    ]),
};

export const anthropicCorpus: Corpus = {
  detector: 'anthropic_api_key',
  positives: (rng, n) =>
    roundRobin(n, [
      () => whole(`sk-ant-api03-${rng.chars(OPENAI_BODY, 93)}AA`),
      () => whole(`sk-ant-admin01-${rng.chars(OPENAI_BODY, 93)}AA`),
      () => whole(`sk-ant-oat01-${rng.chars(OPENAI_BODY, 93)}AA`),
    ]),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => `sk-ant-api03-${'x'.repeat(rng.int(40, 90))}`,
      () => `sk-ant-api03-${rng.chars(OPENAI_BODY, 20)}`,
      () => `sk-ant-${rng.chars(ALNUM, 60)}`,
      () => `sk-antelope-${rng.chars(LOWER, 40)}`,
      () => `sk-ant-api03-your-key-here-${rng.chars(LOWER, 40)}`,
    ]),
};

/** A ghX_ token with a valid CRC-32 checksum, as GitHub mints them. */
export function githubClassic(rng: Rng, prefix: string): string {
  const random = rng.chars(ALNUM, 30);
  return `${prefix}_${random}${base62(crc32(random), 6)}`;
}

export const githubCorpus: Corpus = {
  detector: 'github_token',
  positives: (rng, n) =>
    roundRobin(n, [
      ...['ghp', 'gho', 'ghu', 'ghs', 'ghr'].map((prefix) => () => whole(githubClassic(rng, prefix))),
      () => whole(`github_pat_${rng.chars(ALNUM, 22)}_${rng.chars(ALNUM, 59)}`),
    ]),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => {
        const token = githubClassic(rng, 'ghp');
        const last = token.slice(-1) === 'a' ? 'b' : 'a';
        return token.slice(0, -1) + last;
      },
      () => `ghp_${rng.chars(ALNUM, 36)}`,
      () => 'gho_16C7e42F292c6912E7710c838347Ae178B4a',
      () => `ghp_${rng.chars(ALNUM, 35)}`,
      () => `ghx_${rng.chars(ALNUM, 36)}`,
      () => `github_pat_${rng.chars(ALNUM, 10)}`,
      () => `github_pat_${'X'.repeat(22)}_${'X'.repeat(59)}`,
    ]),
};

export const slackCorpus: Corpus = {
  detector: 'slack_token',
  positives: (rng, n) =>
    roundRobin(n, [
      () => whole(`xoxb-${rng.digits(rng.int(10, 13))}-${rng.digits(rng.int(10, 13))}-${rng.chars(ALNUM, 24)}`),
      () => whole(`xoxp-${rng.digits(11)}-${rng.digits(11)}-${rng.digits(12)}-${rng.chars(HEX, 32)}`),
      () => whole(`xapp-1-A${rng.chars(UPPER + DIGITS, 10)}-${rng.digits(13)}-${rng.chars(HEX, 64)}`),
      () => whole(`https://hooks.slack.com/services/T${rng.chars(UPPER + DIGITS, 8)}/B${rng.chars(UPPER + DIGITS, 10)}/${rng.chars(ALNUM, 24)}`),
      () => whole(`xoxe.xoxp-1-${rng.chars(ALNUM, 60)}-${rng.digits(12)}`),
    ]),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => `xoxb-your-token-here-${rng.chars(LOWER, 4)}`,
      () => `xoxb-${rng.digits(3)}-${rng.digits(3)}`,
      () => `xoxz-${rng.digits(12)}-${rng.digits(12)}-${rng.chars(ALNUM, 24)}`,
      () => 'xoxb-XXXXXXXXXXXX-XXXXXXXXXXXXX-XXXXXXXXXXXXXXXXXXXXXXXX',
      () => `xoxp-${rng.chars(LOWER, 12)}-${rng.chars(LOWER, 20)}`,
      () => `https://hooks.example.com/services/T${rng.chars(UPPER, 8)}/B${rng.chars(UPPER, 10)}/${rng.chars(ALNUM, 24)}`,
    ]),
};

export const googleCorpus: Corpus = {
  detector: 'google_api_key',
  positives: (rng, n) => Array.from({ length: n }, () => whole(`AIza${rng.chars(B64URL, 35)}`)),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => `AIza${rng.chars(B64URL, 34)}`,
      () => `AIza${rng.chars(ALNUM, 36)}`,
      () => `AIzb${rng.chars(B64URL, 35)}`,
      () => `aiza${rng.chars(B64URL, 35)}`,
      () => `AIzaSy${'X'.repeat(33)}`,
    ]),
};

export const stripeCorpus: Corpus = {
  detector: 'stripe_key',
  positives: (rng, n) =>
    roundRobin(n, [
      () => whole(`sk_live_${rng.chars(ALNUM, rng.int(24, 99))}`),
      () => whole(`rk_live_${rng.chars(ALNUM, rng.int(24, 99))}`),
      () => whole(`sk_test_${rng.chars(ALNUM, rng.int(24, 99))}`),
      () => whole(`whsec_${rng.chars(ALNUM, 32)}`),
    ]),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => `pk_live_${rng.chars(ALNUM, 24)}`,
      () => `pk_test_${rng.chars(ALNUM, 24)}`,
      () => rng.pick(['sk_test_4eC39HqLyjWDarjtT1zdp7dc', 'sk_test_BQokikJOvBiI2HlWgH4olfQ2', 'sk_test_26PHem9AhJZvU623DfE1x4sd']),
      () => `sk_live_${rng.chars(ALNUM, 10)}`,
      () => `sk_live_${'x'.repeat(rng.int(24, 40))}`,
      () => `sk_prod_${rng.chars(ALNUM, 24)}`,
    ]),
};

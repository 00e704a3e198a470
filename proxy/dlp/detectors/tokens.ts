import { alt, cls, lit, opt, rep, seq } from './fragment.js';
import { base64UrlText, shannonEntropy } from './checks.js';
import { OK, REJECT, type DetectorSpec, type Verdict } from './types.js';

const B64URL = '[A-Za-z0-9_-]';

export const jwt: DetectorSpec = {
  id: 'jwt',
  summary: 'JSON Web Tokens: three base64url segments whose header is JSON with an `alg`',
  before: `(?:^|[^A-Za-z0-9_-])`,
  value: seq(lit('ey'), cls(B64URL, 6, Infinity), lit('.'), lit('ey'), cls(B64URL, 6, Infinity), lit('.'), cls(B64URL, 0, Infinity)),
  after: '(?:[^A-Za-z0-9_-]|$)',
  validate: validateJwt,
  maxLength: 8192,
  retry: 'end',
};

function jsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function validateJwt(value: string): Verdict {
  const [header, payload] = value.split('.');
  const head = jsonObject(base64UrlText(header ?? ''));
  if (!head || typeof head.alg !== 'string') return REJECT;
  return jsonObject(base64UrlText(payload ?? '')) ? OK : REJECT;
}

const LABEL = rep(seq(cls('[A-Z0-9]', 1, 10), lit(' ')), 0, 3);
const BEGIN = seq(lit('-----BEGIN '), LABEL, lit('PRIVATE KEY'), opt(lit(' BLOCK')), lit('-----'));
const END = seq(lit('-----END '), LABEL, lit('PRIVATE KEY'), opt(lit(' BLOCK')), lit('-----'));
/**
 * PEM body: base64, whitespace (or `\n` escapes in JSON text) and RFC 1421 headers such as
 * `Proc-Type: 4,ENCRYPTED`. A single dash may appear inside a header, never two: that keeps the
 * body from running over the END line, and keeps the stream hold-back from outliving it.
 */
const BODY = rep(alt(cls('[A-Za-z0-9+/=\\s:,.\\\\]'), seq(lit('-'), cls('[A-Za-z0-9]'))), 0, Infinity);

export const privateKey: DetectorSpec = {
  id: 'private_key',
  summary: 'PEM private key blocks (PKCS#1/#8, EC, OpenSSH, encrypted, PGP), also when the END line is missing',
  value: seq(BEGIN, BODY, opt(END)),
  validate: validatePem,
  maxLength: 16384,
  retry: 'end',
};

function validatePem(value: string): Verdict {
  const headerEnd = value.indexOf('-----', 10) + 5;
  const footer = value.indexOf('-----END', headerEnd);
  const body = value.slice(headerEnd, footer < 0 ? value.length : footer);
  let material = '';
  // Lines end in newlines, or in `\n` escapes when the key sits inside JSON text (tool arguments).
  for (const line of body.split('\n').flatMap((l) => l.split('\\n'))) {
    // Skip RFC 1421 header lines (`Proc-Type: …`, `DEK-Info: …`, PGP `Version: …`).
    if (!line.includes(':')) material += line.trim();
  }
  if (material.length < 32 || shannonEntropy(material) < 4) return REJECT;
  // A block without its END line: do not count the blank (or `\n`) after the last line as key.
  let end = value.length;
  while (end > 0 && (value[end - 1] === ' ' || value[end - 1] === '\n' || value[end - 1] === '\r' || value[end - 1] === '\t')) end--;
  return end === value.length ? OK : { ok: true, length: end };
}

import { alt, cls, lit, opt, rep, seq } from './fragment.js';
import { OK, REJECT, type DetectorSpec, type Verdict } from './types.js';

const OCTET = cls('[0-9]', 1, 3);
const DOTTED_QUAD = seq(rep(seq(OCTET, lit('.')), 3, 3), OCTET);
/** A trailing full stop ends a sentence; a dot followed by a digit would make it a longer dotted number. */
const AFTER = '(?:[^0-9A-Za-z_:.]|\\.(?:[^0-9A-Za-z]|$)|$)';

export const ipv4: DetectorSpec = {
  id: 'ipv4',
  summary: 'IPv4 addresses in dotted-quad form (octets 0–255, no leading zeros)',
  before: '(?:^|[^0-9A-Za-z_.:])',
  value: DOTTED_QUAD,
  after: AFTER,
  validate: (value) => (validQuad(value) ? OK : REJECT),
  retry: 'end',
};

function validQuad(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => p.length > 0 && p.length <= 3 && !(p.length > 1 && p.startsWith('0')) && Number(p) <= 255);
}

const HEX_GROUP = cls('[0-9A-Fa-f]', 1, 4);

export const ipv6: DetectorSpec = {
  id: 'ipv6',
  summary: 'IPv6 addresses (full, `::`-compressed and IPv4-embedded forms)',
  before: '(?:^|[^0-9A-Za-z_:.])',
  value: seq(rep(seq(cls('[0-9A-Fa-f]', 0, 4), lit(':')), 2, 7), opt(alt(DOTTED_QUAD, HEX_GROUP))),
  after: AFTER,
  validate: validateIpv6,
  retry: 'end',
};

/**
 * RFC 4291 text form. Deliberately rejects the shortest `::` forms (`::`, `::1`, `a::b`) because
 * C++/Rust paths and Ruby constants look like them; a compressed address needs two groups and
 * one of at least three hex digits (`fe80::1`, `2001:db8::7`).
 */
function validateIpv6(value: string): Verdict {
  let text = value;
  let groupsFromV4 = 0;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!validQuad(tail)) return REJECT;
    text = `${text.slice(0, lastColon + 1)}0`;
    groupsFromV4 = 1;
  }
  const halves = text.split('::');
  if (halves.length > 2) return REJECT;
  const groupsOf = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const groups = halves.flatMap(groupsOf);
  if (groups.some((g) => g.length === 0 || g.length > 4)) return REJECT;
  const count = groups.length + groupsFromV4;
  if (halves.length === 1) return count === 8 ? OK : REJECT;
  if (count > 7) return REJECT;
  const nonEmpty = groups.length;
  if (nonEmpty < 2 && groupsFromV4 === 0) return REJECT;
  return groupsFromV4 === 1 || groups.some((g) => g.length >= 3) ? OK : REJECT;
}

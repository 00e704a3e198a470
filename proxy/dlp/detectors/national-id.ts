import { alt, cls, lit, seq } from './fragment.js';
import { digitsOf } from './checks.js';
import { OK, REJECT, type DetectorSpec, type Verdict } from './types.js';

const ssnWith = (sep: string) => seq(cls('[0-9]', 3), lit(sep), cls('[0-9]', 2), lit(sep), cls('[0-9]', 4));

/** Numbers the SSA or the press published as examples; they are not anybody's SSN. */
const DOCUMENTED_EXAMPLES = new Set(['078051120', '219099999', '123456789']);

export const usSsn: DetectorSpec = {
  id: 'us_ssn',
  summary: 'US Social Security numbers written AAA-GG-SSSS or AAA GG SSSS, with SSA area/group/serial rules',
  before: '(?:^|[^0-9A-Za-z_-])',
  value: alt(ssnWith('-'), ssnWith(' ')),
  after: '(?:[^0-9A-Za-z_-]|$)',
  validate: validateSsn,
  retry: 'next',
};

function validateSsn(value: string): Verdict {
  const digits = digitsOf(value);
  const area = Number(digits.slice(0, 3));
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  // Never issued: area 000, 666 and 900–999; group 00; serial 0000.
  if (area === 0 || area === 666 || area >= 900 || group === 0 || serial === 0) return REJECT;
  return DOCUMENTED_EXAMPLES.has(digits) ? REJECT : OK;
}

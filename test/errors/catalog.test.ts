import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOG, type ErrorCode } from '../../proxy/errors/catalog.js';
import { GatewayError, toGatewayError } from '../../proxy/errors/gateway-error.js';
import { renderErrorBody, errorHeaders } from '../../proxy/errors/render.js';
import { REPO_ROOT } from '../helpers/gateway.js';

const codes = Object.keys(ERROR_CATALOG) as ErrorCode[];

t.test('every catalog code is documented in README error table with its status', async (t) => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  for (const code of codes) {
    // A row of the error table: `| <status> | `<code>` | when |`.
    const row = readme.split('\n').find((line) => line.replaceAll(' ', '').startsWith(`|${ERROR_CATALOG[code].status}|\`${code}\`|`));
    t.ok(row, `README's error table has the row | ${ERROR_CATALOG[code].status} | ${code} |`);
  }
});

t.test('the codes DESIGN.md names are in the catalog with its statuses', async (t) => {
  const design: Record<string, number> = {
    invalid_request: 400, dlp_blocked: 400, invalid_api_key: 401, policy_denied: 403, model_not_found: 404,
    request_too_large: 413, rate_limit_exceeded: 429, budget_exceeded: 429, upstream_error: 502,
    dependency_unavailable: 503, upstream_timeout: 504,
  };
  for (const [code, status] of Object.entries(design)) t.equal(ERROR_CATALOG[code as ErrorCode]?.status, status, code);
});

t.test('OpenAI shape: {error:{message,type,code,param}}', async (t) => {
  const body = JSON.parse(renderErrorBody('openai', new GatewayError('invalid_request', 'bad', { param: 'model' }), 'req_1'));
  t.same(body, { error: { message: 'bad', type: 'invalid_request_error', code: 'invalid_request', param: 'model' } });
});

t.test('Anthropic shape: {type:"error", error:{type,message}}', async (t) => {
  const body = JSON.parse(renderErrorBody('anthropic', new GatewayError('invalid_api_key', 'nope'), 'req_2'));
  t.equal(body.type, 'error');
  t.equal(body.error.type, 'authentication_error');
  t.equal(body.error.message, 'nope');
});

t.test('budget_exceeded tells SDKs not to retry; rate limits keep retry-after', async (t) => {
  t.equal(errorHeaders(new GatewayError('budget_exceeded', 'cap'))['x-should-retry'], 'false');
  const h = errorHeaders(new GatewayError('rate_limit_exceeded', 'slow', { headers: { 'retry-after': '3' } }));
  t.equal(h['retry-after'], '3');
  t.notOk('x-should-retry' in h);
});

t.test('unknown errors become a detail-free 500', async (t) => {
  const err = toGatewayError(new Error('ECONNREFUSED 10.0.0.1 secret-detail'));
  t.equal(err.status, 500);
  t.notMatch(err.message, /secret-detail/);
});

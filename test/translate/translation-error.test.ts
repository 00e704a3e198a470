import t from 'tap';
import { malformed, untranslatable } from '../../proxy/translate/translation-error.js';
import { renderErrorBody } from '../../proxy/errors/render.js';

/** The two ways a translator refuses a request: both a 400 the client's SDK shows, naming the field. */

t.test('untranslatable: 400 invalid_request naming the field and why, in both client error shapes', async (t) => {
  const err = untranslatable('messages[2].content[0].type', 'Gemini has no equivalent.');
  t.match(err, { code: 'invalid_request', status: 400, param: 'messages[2].content[0].type' });
  t.equal(err.message, "'messages[2].content[0].type' cannot be translated for this tier's provider: Gemini has no equivalent.");
  t.same(JSON.parse(renderErrorBody('openai', err, 'req_1')), { error: { message: err.message, type: 'invalid_request_error', code: 'invalid_request', param: 'messages[2].content[0].type' } });
  t.same(JSON.parse(renderErrorBody('anthropic', err, 'req_1')), { type: 'error', error: { type: 'invalid_request_error', message: err.message, code: 'invalid_request' }, request_id: 'req_1' });
});

t.test('malformed: 400 invalid_request naming the field and what is wrong with it', async (t) => {
  const err = malformed('tools', 'must be an array.');
  t.match(err, { code: 'invalid_request', status: 400, param: 'tools', message: "'tools' must be an array." });
});

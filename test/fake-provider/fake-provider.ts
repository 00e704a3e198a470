import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { behaviorFromHeader, type FakeBehavior, type RecordedRequest } from './behavior.js';
import { chatCompletion, chatStreamData, embeddings, modelList, openAiError, responseCompleted, responsesStreamEvents } from './openai-fixtures.js';
import { anthropicError, message, messageStreamEvents } from './anthropic-fixtures.js';
import { batchEmbedContents, embedContent, generateContent, generateContentStream, geminiApiKeyInvalid, geminiError } from './gemini-fixtures.js';

export type { FakeBehavior, RecordedRequest } from './behavior.js';

/**
 * A real HTTP server on 127.0.0.1 (port 0) speaking OpenAI (chat, responses, embeddings,
 * models), Anthropic (messages) and Gemini (`generateContent`, `streamGenerateContent?alt=sse`), JSON and SSE. It records every request and is steered
 * per request: by the `x-fake-behavior` header (JSON), by a FIFO queue (`enqueue`), or by
 * model name (`behaviorForModel`).
 */
export interface FakeProvider {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `<url>/v1`: the OpenAI base URL. */
  readonly openaiBaseUrl: string;
  /** `<url>`: the Anthropic base URL (the SDK convention, no `/v1`). */
  readonly anthropicBaseUrl: string;
  /** `<url>`: the Gemini base URL (the gateway adds `/v1beta`). */
  readonly geminiBaseUrl: string;
  readonly requests: RecordedRequest[];
  /** The next request (of any kind) gets this behavior. */
  enqueue(behavior: FakeBehavior): void;
  /** Every request naming this model gets this behavior (after header and queue). */
  behaviorForModel(model: string, behavior: FakeBehavior): void;
  /** The next stream pauses after its first two events until the returned function is called. */
  holdStream(): () => void;
  /** Resolves when a request matching `predicate` arrived (or already did). */
  waitForRequest(predicate?: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Resolves with the time the gateway dropped this request's connection. */
  waitForAbort(request: RecordedRequest, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

interface Deferred {
  readonly promise: Promise<void>;
  readonly release: () => void;
}

function deferred(): Deferred {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  if (chunks.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

async function poll<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`fake provider: timed out waiting for ${what}`);
    await sleep(5);
  }
}

export async function startFakeProvider(): Promise<FakeProvider> {
  const requests: RecordedRequest[] = [];
  const queue: FakeBehavior[] = [];
  const byModel = new Map<string, FakeBehavior>();
  const holds: Deferred[] = [];

  async function stream(res: ServerResponse, rec: RecordedRequest, b: FakeBehavior, frames: string[]): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...b.headers });
    const hold = holds.shift();
    for (let i = 0; i < frames.length; i++) {
      if (res.destroyed) return;
      if (i === 2) {
        if (b.dieMidStream) {
          // end(), not destroy(): the events already written must reach the peer first.
          res.socket?.end();
          return;
        }
        if (b.stallMidStream) return;
        if (hold) await hold.promise;
      }
      if (i > 0 && b.chunkDelayMs) await sleep(b.chunkDelayMs);
      if (!res.write(frames[i])) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
    }
    res.end();
    rec.finished = true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const rec: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, body, receivedAt: Date.now(), finished: false };
    requests.push(rec);
    res.on('close', () => {
      if (!res.writableFinished) rec.abortedAt = Date.now();
    });
    const json = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    // Gemini names the model and the method in the path: /v1beta/models/{model}:{method}.
    const gemini = path.startsWith('/v1beta/models/') ? { model: decodeURIComponent(path.slice(15, path.lastIndexOf(':'))), method: path.slice(path.lastIndexOf(':') + 1) } : undefined;
    const model = gemini?.model ?? (typeof json['model'] === 'string' ? json['model'] : 'fake-model');
    let b: FakeBehavior = behaviorFromHeader(req.headers) ?? queue.shift() ?? byModel.get(model) ?? {};
    const anthropic = path === '/v1/messages';
    const ids = { [anthropic ? 'request-id' : 'x-request-id']: `req_fake_${requests.length}` };
    if (b.delayFirstByteMs) await sleep(b.delayFirstByteMs);
    if (res.destroyed) return;
    const send = (status: number, payload: unknown): void => {
      const text = JSON.stringify(payload);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...ids, ...b.headers });
      res.end(text);
      rec.finished = true;
    };
    const echo = b.echoHeaders ? `request headers: ${JSON.stringify(req.headers)}` : undefined;
    if (b.rawBody !== undefined) {
      const text = b.rawBody.text + (echo ?? '');
      res.writeHead(b.status ?? 200, { 'content-type': b.rawBody.contentType, 'content-length': Buffer.byteLength(text), ...ids, ...b.headers });
      res.end(text);
      rec.finished = true;
      return;
    }
    if (b.status !== undefined && b.status >= 400 && echo !== undefined) {
      return send(b.status, anthropic ? { type: 'error', error: { type: 'invalid_request_error', message: echo } } : { error: { message: echo, type: 'invalid_request_error', param: 'messages', code: 'echo' } });
    }
    if (b.status !== undefined && b.status >= 400) return send(b.status, b.errorBody ?? (anthropic ? anthropicError(b.status) : gemini ? geminiError(b.status) : openAiError(b.status)));
    if (gemini && b.geminiKeyInvalid) return send(400, geminiApiKeyInvalid(String(req.headers['x-goog-api-key'] ?? '')));
    if (gemini?.method === 'embedContent') return send(200, embedContent(json));
    if (gemini?.method === 'batchEmbedContents') return send(200, batchEmbedContents(json));
    if (gemini) {
      if (echo !== undefined) b = { ...b, text: echo };
      const streamed = gemini.method === 'streamGenerateContent';
      if (b.errorEventFirst && streamed) return stream(res, rec, b, [`data: ${JSON.stringify(geminiError(503))}\r\n\r\n`]);
      if (b.dieMidStream && !streamed) return void res.socket?.destroy();
      // Gemini frames with CRLF (observed on the wire) and sends no [DONE].
      return streamed ? stream(res, rec, b, generateContentStream(model, b).map((d) => `data: ${d}\r\n\r\n`)) : send(200, generateContent(model, b));
    }
    if (echo !== undefined) b = { ...b, text: echo };
    const streaming = json['stream'] === true;
    if (b.dieMidStream && !streaming) {
      res.socket?.destroy();
      return;
    }
    const sse = (events: [string, string][]): string[] => events.map(([event, data]) => `event: ${event}\ndata: ${data}\n\n`);
    res.setHeader(anthropic ? 'request-id' : 'x-request-id', ids[anthropic ? 'request-id' : 'x-request-id'] as string);
    if (b.errorEventFirst && streaming) {
      const err = anthropic ? `event: error\ndata: ${JSON.stringify(anthropicError(529))}\n\n` : `data: ${JSON.stringify(openAiError(500))}\n\n`;
      return stream(res, rec, b, [err]);
    }
    switch (`${req.method} ${path}`) {
      case 'POST /v1/chat/completions': {
        if (!streaming) return send(200, chatCompletion(model, b));
        const options = json['stream_options'] as Record<string, unknown> | undefined;
        const frames = chatStreamData(model, b, options?.['include_usage'] === true).map((d) => `data: ${d}\n\n`);
        return stream(res, rec, b, frames);
      }
      case 'POST /v1/responses':
        return streaming ? stream(res, rec, b, sse(responsesStreamEvents(model, b))) : send(200, responseCompleted(model, b));
      case 'POST /v1/embeddings':
        return send(200, embeddings(model, json, b));
      case 'GET /v1/models':
        return send(200, modelList());
      case 'POST /v1/messages':
        return streaming ? stream(res, rec, b, sse(messageStreamEvents(model, b))) : send(200, message(model, b));
      default:
        return send(404, anthropic ? anthropicError(404) : openAiError(404));
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: url,
    geminiBaseUrl: url,
    requests,
    enqueue: (behavior) => void queue.push(behavior),
    behaviorForModel: (model, behavior) => void byModel.set(model, behavior),
    holdStream() {
      const d = deferred();
      holds.push(d);
      return d.release;
    },
    waitForRequest: (predicate = () => true, timeoutMs = 5000) => poll(() => requests.find(predicate), timeoutMs, 'a request'),
    waitForAbort: (request, timeoutMs = 5000) => poll(() => request.abortedAt, timeoutMs, 'the request to be aborted'),
    close: () =>
      new Promise<void>((resolve) => {
        for (const hold of holds) hold.release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

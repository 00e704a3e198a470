import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isObject, type JsonObject } from '../json-fields.js';
import { demoChatCompletion, demoChatStream } from './demo-chat.js';
import { demoResponse, demoResponseStream } from './demo-responses.js';
import { demoMessage, demoMessageStream } from './demo-messages.js';
import { demoEmbeddings } from './demo-embeddings.js';
import { demoId, unixSeconds } from './demo-ids.js';

/** The built-in demo provider: a loopback HTTP server speaking OpenAI and Anthropic formats. */
export interface DemoServer {
  /** `http://127.0.0.1:<port>/v1`: works as an OpenAI base URL and (see anthropicTarget) an Anthropic one. */
  readonly baseUrl: string;
  close(): Promise<void>;
}

export interface DemoServerOptions {
  /** Pause between streamed events, so a terminal shows the stream arriving. */
  readonly chunkDelayMs?: number;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

function readJson(req: IncomingMessage): Promise<JsonObject | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        resolve(isObject(parsed) ? parsed : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, anthropic: boolean, status: number, message: string, headers: Record<string, string>): void {
  const body = anthropic
    ? { type: 'error', error: { type: status === 404 ? 'not_found_error' : 'invalid_request_error', message } }
    : { error: { message, type: 'invalid_request_error', param: null, code: null } };
  sendJson(res, status, body, headers);
}

async function sendStream(res: ServerResponse, frames: readonly string[], delayMs: number, headers: Record<string, string>): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers });
  for (let i = 0; i < frames.length; i++) {
    if (res.destroyed) return;
    if (i > 0 && delayMs > 0) await sleep(delayMs);
    if (!res.write(frames[i] as string)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
  }
  res.end();
}

async function handle(req: IncomingMessage, res: ServerResponse, delayMs: number): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const anthropic = path === '/v1/messages';
  const headers = { [anthropic ? 'request-id' : 'x-request-id']: demoId('req_demo') };
  if (req.method === 'GET' && path === '/v1/models') {
    const data = ['demo-fast', 'demo-smart', 'demo-embed'].map((id) => ({ id, object: 'model', created: unixSeconds(), owned_by: 'workjet-demo' }));
    sendJson(res, 200, { object: 'list', data }, headers);
    return;
  }
  const known = path === '/v1/chat/completions' || path === '/v1/responses' || path === '/v1/embeddings' || anthropic;
  if (req.method !== 'POST' || !known) {
    req.resume();
    sendError(res, anthropic, 404, `Unknown demo endpoint ${req.method ?? ''} ${path}.`, headers);
    return;
  }
  const body = await readJson(req);
  if (!body) {
    sendError(res, anthropic, 400, 'The request body is not a JSON object.', headers);
    return;
  }
  const model = typeof body['model'] === 'string' ? body['model'] : 'demo';
  const stream = body['stream'] === true;
  switch (path) {
    case '/v1/chat/completions':
      return stream ? sendStream(res, demoChatStream(body, model), delayMs, headers) : sendJson(res, 200, demoChatCompletion(body, model), headers);
    case '/v1/responses':
      return stream ? sendStream(res, demoResponseStream(body, model), delayMs, headers) : sendJson(res, 200, demoResponse(body, model), headers);
    case '/v1/embeddings':
      return sendJson(res, 200, demoEmbeddings(body, model), headers);
    default:
      return stream ? sendStream(res, demoMessageStream(body, model), delayMs, headers) : sendJson(res, 200, demoMessage(body, model), headers);
  }
}

/** Starts the demo provider on 127.0.0.1, on a port the OS picks. */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const delayMs = options.chunkDelayMs ?? 15;
  const server: Server = createServer((req, res) => {
    handle(req, res, delayMs).catch(() => {
      if (!res.headersSent) sendError(res, false, 500, 'The demo provider failed.', {});
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

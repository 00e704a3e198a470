import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';

/**
 * The floor of the benchmark: the least a proxy can do. It forwards method, path, headers and
 * the request body stream to one upstream origin over a keep-alive undici Pool and pipes the
 * response back as it arrives. No parsing, no auth, no policy — every gateway ratio is against it.
 */

// Hop-by-hop headers (RFC 9110 §7.6.1) and the ones undici sets itself.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

function endToEnd(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

export interface Passthrough {
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * A node:http server that relays every request to `upstreamOrigin` (scheme://host:port), over at
 * most `connections` upstream sockets (64: enough for the load cells; the memory cell holds 1,000
 * streams open at once and asks for more, as the gateway's pool has no cap).
 */
export function createPassthrough(upstreamOrigin: string, connections = 64): Passthrough {
  const pool = new Pool(upstreamOrigin, { connections, keepAliveTimeout: 60_000 });
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    // A client that goes away must not leave the upstream streaming: destroying the upstream body
    // makes undici drop that connection. (Cheaper than an AbortController per request.)
    let upstreamBody: Readable | undefined;
    let clientGone = false;
    res.once('close', () => {
      if (res.writableFinished) return;
      clientGone = true;
      upstreamBody?.destroy();
    });
    pool
      .request({
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        path: req.url ?? '/',
        headers: endToEnd(req.headers) as Record<string, string | string[]>,
        body: req.method === 'GET' || req.method === 'HEAD' ? null : req,
      })
      .then((upstream) => {
        const body = upstream.body;
        // First, before anything can destroy it: undici's body emits an error when destroyed early.
        body.on('error', () => res.destroy());
        upstreamBody = body;
        if (clientGone) {
          body.destroy();
          return;
        }
        // No flushHeaders(): the head goes out with the first body chunk, one write fewer.
        res.writeHead(upstream.statusCode, endToEnd(upstream.headers));
        // Plain 'data' events with pause/resume for backpressure: measurably cheaper per request
        // than stream.pipeline() or an async iterator, and this is the floor.
        body.on('data', (chunk: Buffer) => {
          if (!res.write(chunk)) {
            body.pause();
            res.once('drain', () => body.resume());
          }
        });
        body.once('end', () => res.end());
      })
      .catch(() => {
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end('{"error":{"message":"passthrough: upstream failed","type":"api_error"}}');
        } else {
          res.destroy();
        }
      });
  });
  return {
    server,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.close();
    },
  };
}

import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';

/**
 * Reads a request body up to `maxBytes`; over the limit → 413 without buffering the rest.
 * Plain `data`/`end` listeners rather than the stream's async iterator, whose iterator object
 * and end-of-stream watcher were about 1.5% of a request's CPU in the profile.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    req.resume();
    return Promise.reject(tooLarge(maxBytes));
  }
  if (req.destroyed) return Promise.reject(prematureClose());
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        stop();
        // The rest is discarded, never destroyed: a destroyed request stalls the parser, so a
        // keep-alive client's next request on that socket would hang.
        req.resume();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      stop();
      reject(err);
    };
    // The client went away mid-body (no `error` is emitted when nothing listens for one).
    const onClose = (): void => {
      stop();
      reject(prematureClose());
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError('request_too_large', `Request body exceeds the gateway limit of ${maxBytes} bytes.`);
}

function prematureClose(): Error {
  return Object.assign(new Error('the client closed the connection before its request body ended'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

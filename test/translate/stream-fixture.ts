import { readFileSync } from 'node:fs';
import { SseParser, serializeSseEvent } from '../../proxy/providers/sse.js';
import { TransformChain } from '../../proxy/providers/transform-chain.js';
import { callShape } from '../../proxy/translate/call-shape.js';
import type { ClientApi, RouteKind, TokenUsage } from '../../proxy/core/vocabulary.js';
import type { ProviderType } from '../../proxy/config/schema.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);

/** A fixture file's text. */
export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/**
 * Runs recorded provider stream bytes through the same chain forward builds for a translated
 * call (provider session → translator → client session), fed in `chunkSize`-byte pieces so
 * events split across reads are covered, and returns the client's bytes and the usage read.
 */
export function translateStream(provider: ProviderType, api: ClientApi, route: RouteKind, upstream: string, clientWantsUsage: boolean, chunkSize = 7): { bytes: string; usage: TokenUsage | undefined } {
  const shape = callShape(provider, api, route);
  if (!shape?.translator) throw new Error(`no translator for ${route} → ${provider}`);
  const providerSession = shape.adapter.openStream(shape.upstreamRoute, { clientWantsUsage: true });
  const clientSession = shape.client.openStream(route, { clientWantsUsage });
  const chain = new TransformChain([providerSession.transform, shape.translator.stream(), clientSession.transform]);
  const parser = new SseParser();
  let bytes = '';
  const raw = Buffer.from(upstream, 'utf8');
  for (let i = 0; i < raw.length; i += chunkSize) for (const e of chain.push(parser.push(raw.subarray(i, i + chunkSize)))) bytes += serializeSseEvent(e);
  for (const e of chain.push(parser.end())) bytes += serializeSseEvent(e);
  for (const e of chain.end()) bytes += serializeSseEvent(e);
  return { bytes, usage: providerSession.usage() };
}

/** The translated bytes with the timestamps (`created`, `created_at`: the gateway's clock) pinned. */
export function pinCreated(bytes: string): string {
  return pinNumber(pinNumber(bytes, '"created":'), '"created_at":');
}

function pinNumber(bytes: string, key: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const i = bytes.indexOf(key, at);
    if (i < 0) return out + bytes.slice(at);
    let j = i + key.length;
    while (j < bytes.length && bytes.charCodeAt(j) >= 48 && bytes.charCodeAt(j) <= 57) j++;
    out += bytes.slice(at, i) + key + '0';
    at = j;
  }
}

/** Gemini sends no call ids: the gateway mints them, so a fixture pins the minted part (the thought signature stays). */
export function pinCallIds(bytes: string): string {
  return bytes.replace(/"id":"(call_|toolu_)[a-z0-9]+/g, '"id":"$1minted');
}

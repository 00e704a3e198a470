import type { SseEvent, SseTransform } from './sse-types.js';

/** Runs events through transforms in order; a transform's flush on end still passes the later ones. */
export class TransformChain {
  readonly #transforms: readonly SseTransform[];

  constructor(transforms: readonly SseTransform[]) {
    this.#transforms = transforms;
  }

  #from(index: number, events: SseEvent[]): SseEvent[] {
    let current = events;
    for (let i = index; i < this.#transforms.length && current.length > 0; i++) {
      const transform = this.#transforms[i] as SseTransform;
      if (current.length === 1) {
        current = transform.onEvent(current[0] as SseEvent);
        continue;
      }
      const next: SseEvent[] = [];
      for (const event of current) for (const out of transform.onEvent(event)) next.push(out);
      current = next;
    }
    return current;
  }

  push(events: SseEvent[]): SseEvent[] {
    return this.#from(0, events);
  }

  /** Flushes every transform, front to back. */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    for (let i = 0; i < this.#transforms.length; i++) {
      const flushed = (this.#transforms[i] as SseTransform).onEnd();
      if (flushed.length > 0) for (const event of this.#from(i + 1, flushed)) out.push(event);
    }
    return out;
  }
}

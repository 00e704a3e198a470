import pg from 'pg';
import type { Logger } from 'pino';
import { CHANGE_CHANNEL } from './sql-tenant-store.js';

const RECONNECT_MS = 1000;

/**
 * One dedicated connection that LISTENs for tenant changes other instances commit. When it
 * drops it reconnects after a second; the registry's periodic version check covers the gap.
 */
export class ChangeListener {
  #client: pg.Client | undefined;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
  ) {}

  async start(onChange: (payload: string) => Promise<void>): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      if (msg.channel !== CHANGE_CHANNEL || msg.payload === undefined) return;
      onChange(msg.payload).catch((err: unknown) => this.logger.error({ err }, 'store: refresh after NOTIFY failed'));
    });
    const retry = (err?: unknown): void => {
      if (this.#closed || this.#timer) return;
      if (err) this.logger.warn({ err }, 'store: LISTEN connection lost; reconnecting');
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.start(onChange).catch((e: unknown) => retry(e));
      }, RECONNECT_MS);
      this.#timer.unref();
    };
    client.on('error', retry);
    client.on('end', () => retry());
    await client.connect();
    await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    this.#client = client;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#client?.end().catch(() => undefined);
  }
}

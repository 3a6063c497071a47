/**
 * The invalidation bus of a cluster on PostgreSQL: LISTEN/NOTIFY on one channel (DESIGN rule 5).
 *
 * - `publish` delivers to this node's listeners at once, then sends a NOTIFY through the pool;
 *   PostgreSQL delivers it to every listening node after the statement commits. A node skips
 *   the echo of its own events (the envelope names the origin), so each listener sees an event
 *   exactly once.
 * - Listening uses a dedicated connection (a pooled one would be handed to queries). It is
 *   checked every few seconds; when it is lost, notifications may have been missed, so the node
 *   drops every cache (`{kind:'all'}`) and reconnects with bounded backoff, and drops them again
 *   once listening resumes (whatever was cached while away may be stale).
 * - Payloads are JSON; one that would exceed PostgreSQL's 8000-byte limit is sent as `all`.
 */
import type pg from 'pg';
import { primaryLocator } from '../store/sql/index.ts';
import { sql, type Kysely } from 'kysely';
import type { Invalidation, InvalidationBus } from '../store/cache/index.ts';
import type { Database } from '../store/sql/index.ts';
import { sleep, type ClusterLog } from './log.ts';

export const INVALIDATION_CHANNEL = 'holdfast_invalidation';
/** PostgreSQL refuses payloads of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7900;
const PUBLISH_ATTEMPTS = 3;

interface Envelope {
  /** Id of the node that published. */
  o: string;
  e: Invalidation;
}

export interface PgInvalidationBusOptions {
  url: string;
  /** The node's pool, for NOTIFY. */
  db: Kysely<Database>;
  /** This node's id: its own notifications come back and are skipped. */
  origin: string;
  log: ClusterLog;
  /** How often the listening connection is checked, ms. */
  checkMs?: number;
  /** Reconnect backoff, ms: doubles from `min` up to `max`. */
  backoff?: { minMs: number; maxMs: number };
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** The event inside a notification, if it is well formed; anything else on the channel is ignored. */
export function parseEnvelope(payload: string | undefined): Envelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload ?? '');
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { o, e } = value as { o?: unknown; e?: Record<string, unknown> };
  if (!isString(o) || typeof e !== 'object' || e === null) return undefined;
  switch (e.kind) {
    case 'userSession':
      return isString(e.id) && typeof e.offline === 'boolean' ? { o, e: { kind: 'userSession', id: e.id, offline: e.offline } } : undefined;
    case 'user':
    case 'realm':
      return isString(e.id) ? { o, e: { kind: e.kind, id: e.id } } : undefined;
    case 'tokenRevoked':
      return isString(e.jti) && isNumber(e.expiresAt) ? { o, e: { kind: 'tokenRevoked', jti: e.jti, expiresAt: e.expiresAt } } : undefined;
    case 'all':
      return { o, e: { kind: 'all' } };
    default:
      return undefined;
  }
}

export class PgInvalidationBus implements InvalidationBus {
  private readonly listeners: Array<(event: Invalidation) => void> = [];
  private client: pg.Client | undefined;
  private listenedBefore = false;
  private closed = false;
  private checking = false;
  private reconnecting: Promise<void> | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private readonly checkMs: number;
  private readonly backoff: { minMs: number; maxMs: number };

  constructor(private readonly options: PgInvalidationBusOptions) {
    this.checkMs = options.checkMs ?? 2_000;
    this.backoff = options.backoff ?? { minMs: 100, maxMs: 5_000 };
  }

  /** Starts listening; fails when the database cannot be reached now. */
  async start(): Promise<void> {
    await this.listen();
    this.checkTimer = setInterval(() => void this.check(), this.checkMs);
    this.checkTimer.unref();
  }

  /** True while notifications are being received. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  async publish(event: Invalidation): Promise<void> {
    this.deliver(event);
    let payload = JSON.stringify({ o: this.options.origin, e: event } satisfies Envelope);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) payload = JSON.stringify({ o: this.options.origin, e: { kind: 'all' } } satisfies Envelope);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await sql`SELECT pg_notify(${INVALIDATION_CHANNEL}, ${payload})`.execute(this.options.db);
        return;
      } catch (error) {
        if (attempt === PUBLISH_ATTEMPTS) throw error;
        await sleep(50 * attempt);
      }
    }
  }

  subscribe(listener: (event: Invalidation) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.checkTimer) clearInterval(this.checkTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private deliver(event: Invalidation): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.log.error({ err: error, kind: event.kind }, 'an invalidation listener failed');
      }
    }
  }

  private onNotification(message: pg.Notification): void {
    if (message.channel !== INVALIDATION_CHANNEL) return;
    const envelope = parseEnvelope(message.payload);
    if (!envelope) {
      this.options.log.warn({ channel: message.channel }, 'ignored a malformed invalidation');
      return;
    }
    if (envelope.o !== this.options.origin) this.deliver(envelope.e);
  }

  private async listen(): Promise<void> {
    // On the primary: notifications are not delivered on standbys.
    const client = await (await primaryLocator(this.options.url)).connect({ application_name: 'holdfast-listener', keepAlive: true, connectionTimeoutMillis: 5_000, query_timeout: 5_000 });
    client.on('notification', (message) => this.onNotification(message));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.query(`LISTEN ${INVALIDATION_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Events published while this node was not listening are lost: drop what may have gone stale.
    if (this.listenedBefore) this.deliver({ kind: 'all' });
    this.listenedBefore = true;
  }

  private lost(client: pg.Client, error?: Error): void {
    if (client !== this.client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    if (this.closed) return;
    this.options.log.warn({ err: error }, 'invalidation listener lost: caches dropped, reconnecting');
    this.deliver({ kind: 'all' });
    void this.reconnect();
  }

  private reconnect(): Promise<void> {
    this.reconnecting ??= (async () => {
      let delay = this.backoff.minMs;
      while (!this.closed) {
        try {
          await this.listen();
          if (!this.closed) this.options.log.info({}, 'invalidation listener reconnected');
          return;
        } catch (error) {
          this.options.log.warn({ err: error, retryInMs: delay }, 'invalidation listener cannot reconnect yet');
          await sleep(delay);
          delay = Math.min(this.backoff.maxMs, delay * 2);
        }
      }
    })().finally(() => {
      this.reconnecting = undefined;
    });
    return this.reconnecting;
  }

  /** A connection can die without an error event (a silent network drop): ask it something. */
  private async check(): Promise<void> {
    const client = this.client;
    if (!client || this.checking) return;
    this.checking = true;
    try {
      await client.query('SELECT 1');
    } catch (error) {
      this.lost(client, error as Error);
    } finally {
      this.checking = false;
    }
  }
}

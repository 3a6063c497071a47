/**
 * The events of one holdfast instance: the batched writer over the store, the recorder requests
 * use, their metrics, and the expiry job. app.ts builds it once and closes it on shutdown, after
 * the last request, so the final batch is written.
 */
import type { FastifyBaseLogger } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../clock/index.ts';
import type { SingletonJobs } from '../cluster/index.ts';
import type { RealmRepository } from '../realm/index.ts';
import { removeExpiredEvents } from './event-expiry.ts';
import { EventRecorder } from './event-recorder.ts';
import type { EventStore } from './event-store.ts';
import { EventWriter } from './event-writer.ts';

export interface EventsOptions {
  store: EventStore;
  realms: RealmRepository;
  log: FastifyBaseLogger;
  clock: Clock;
  registry: Registry;
  jobs: SingletonJobs;
  /** Seconds between expiry runs; 0: none. */
  expiryIntervalSeconds: number;
}

export interface Events {
  recorder: EventRecorder;
  store: EventStore;
  writer: EventWriter;
  /** One expiry pass now; returns how many events it deleted. */
  removeExpired(): Promise<number>;
  close(): Promise<void>;
}

/** A flush every quarter second or every 500 events; 10,000 waiting at most (a few MB). */
const FLUSH_MS = 250;
const BATCH_SIZE = 500;
const MAX_QUEUED = 10_000;

export function openEvents(options: EventsOptions): Events {
  const { store, log, registry } = options;
  const dropped = new Counter({ name: 'holdfast_events_dropped_total', help: 'Events not stored: queue full or write failed', labelNames: ['reason'], registers: [registry] });
  const removed = new Counter({ name: 'holdfast_events_expired_total', help: 'Stored events deleted by eventsExpiration', registers: [registry] });
  const writer = new EventWriter({
    store,
    flushMs: FLUSH_MS,
    batchSize: BATCH_SIZE,
    maxQueued: MAX_QUEUED,
    onDropped: (count) => dropped.inc({ reason: 'queue_full' }, count),
    onError: (error, count) => {
      dropped.inc({ reason: 'write_failed' }, count);
      log.error({ err: error, count }, 'writing events failed');
    },
  });
  const removeExpired = async () => {
    const count = await removeExpiredEvents(store, options.realms, options.clock);
    removed.inc(count);
    return count;
  };
  if (options.expiryIntervalSeconds > 0) {
    options.jobs.every('event-expiry', options.expiryIntervalSeconds * 1000, async () => {
      await removeExpired();
    });
  }
  return {
    recorder: new EventRecorder(writer, log, options.clock, registry),
    store,
    writer,
    removeExpired,
    close: () => writer.close(),
  };
}

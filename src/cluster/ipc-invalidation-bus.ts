/**
 * The invalidation bus between the workers of one node (`--workers N` on the embedded store):
 * the same interface the cluster's LISTEN/NOTIFY bus has, carried over node:cluster's IPC channel
 * through the primary (worker-pool.ts).
 *
 * `publish` applies the event here at once, sends it to the primary, and resolves only when the
 * primary reports that every other live worker applied it. A logout's response is therefore sent
 * after no worker of the node can serve the session from its cache any more: "refused in the
 * other worker at once", not after a delivery delay. A worker that does not acknowledge in time
 * is killed by the primary (and restarted with empty caches), so publish never waits for long.
 * Without the channel (the primary is gone) nothing is delivered, and `listening` turns false so
 * caches stop serving.
 */
import type { Invalidation, InvalidationBus } from '../store/cache/index.ts';
import { isWorkerMessage, type RelayedInvalidation, type WorkerMessage } from './worker-messages.ts';

/** Longest wait for the primary's "published" before publish resolves anyway (the primary kills laggards sooner). */
const PUBLISH_TIMEOUT_MS = 10_000;

export class IpcInvalidationBus implements InvalidationBus {
  private readonly listeners: Array<(event: Invalidation) => void> = [];
  private readonly pending = new Map<number, () => void>();
  private nextId = 1;
  private readonly onMessage = (message: unknown) => this.receive(message);

  constructor(private readonly channel: NodeJS.Process = process) {
    channel.on('message', this.onMessage);
  }

  get listening(): boolean {
    return this.channel.connected === true;
  }

  async publish(event: Invalidation): Promise<void> {
    this.deliver(event);
    if (!this.listening) return;
    const id = this.nextId++;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), PUBLISH_TIMEOUT_MS);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve();
      };
      this.pending.set(id, done);
      this.send({ holdfast: 'invalidate', id, event }, done);
    });
  }

  subscribe(listener: (event: Invalidation) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.channel.off('message', this.onMessage);
    for (const done of [...this.pending.values()]) done();
  }

  private receive(message: unknown): void {
    if (!isWorkerMessage(message)) return;
    if (message.holdfast === 'published') {
      this.pending.get(message.id)?.();
    } else if (message.holdfast === 'invalidate') {
      const relayed = message as RelayedInvalidation;
      this.deliver(relayed.event);
      this.send({ holdfast: 'invalidated', origin: relayed.origin, id: relayed.id });
    }
  }

  private deliver(event: Invalidation): void {
    for (const listener of this.listeners) listener(event);
  }

  /** `failed` runs when the channel refuses the message (the primary is gone): nobody is left to wait for. */
  private send(message: WorkerMessage, failed?: () => void): void {
    try {
      this.channel.send!(message, undefined, undefined, (error) => {
        if (error) failed?.();
      });
    } catch {
      failed?.();
    }
  }
}

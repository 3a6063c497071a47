/**
 * Writes events off the request path: requests only push onto a bounded in-memory queue, and a
 * flush writes what is queued with one multi-row insert per kind, every `flushMs` or as soon as
 * `batchSize` events wait. A full queue drops the new event and counts it (the request never
 * waits for the database); `close()` flushes what is left, so a SIGTERM loses nothing.
 */
import type { AdminEvent, EventStore, UserEvent } from './event-store.ts';

export interface EventWriterOptions {
  store: EventStore;
  flushMs: number;
  batchSize: number;
  maxQueued: number;
  onDropped: (count: number) => void;
  onError: (error: unknown, count: number) => void;
}

export class EventWriter {
  private userEvents: UserEvent[] = [];
  private adminEvents: AdminEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** A full batch already asked for a flush that has not started yet. */
  private flushAsked = false;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: EventWriterOptions) {}

  get queued(): number {
    return this.userEvents.length + this.adminEvents.length;
  }

  addUserEvent(event: UserEvent): void {
    if (this.accept()) this.userEvents.push(event);
  }

  addAdminEvent(event: AdminEvent): void {
    if (this.accept()) this.adminEvents.push(event);
  }

  /** Writes everything queued so far; resolves when it is in the store (or counted as failed). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushAsked = false;
    this.flushing = this.flushing.then(() => this.writeQueued());
    return this.flushing;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private accept(): boolean {
    if (this.closed || this.queued >= this.options.maxQueued) {
      this.options.onDropped(1);
      return false;
    }
    if (this.queued + 1 >= this.options.batchSize) {
      if (!this.flushAsked) queueMicrotask(() => void this.flush());
      this.flushAsked = true;
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.flushMs);
      this.timer.unref();
    }
    return true;
  }

  private async writeQueued(): Promise<void> {
    while (this.queued > 0) {
      const users = this.userEvents.splice(0, this.options.batchSize);
      const admins = this.adminEvents.splice(0, this.options.batchSize);
      try {
        if (users.length > 0) await this.options.store.insertEvents(users);
      } catch (error) {
        this.options.onError(error, users.length);
      }
      try {
        if (admins.length > 0) await this.options.store.insertAdminEvents(admins);
      } catch (error) {
        this.options.onError(error, admins.length);
      }
    }
  }
}

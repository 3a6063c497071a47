/**
 * Batches the durable writes of sliding session times (DESIGN rule 3). Touches for the same
 * session coalesce; a timer writes the batch every `flushMs`; `flush()` writes what is pending
 * (called on SIGTERM), so a clean shutdown loses nothing and a crash loses at most one bound. A
 * batch the store could not take (StoreUnavailable) is kept and written with the next one.
 */
import { StoreUnavailable } from '../errors/index.ts';
import type { SessionStore } from './session-store.ts';
import type { SessionTouch } from './types.ts';

export class TouchWriter {
  private pending = new Map<string, SessionTouch>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: SessionStore,
    private readonly flushMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  schedule(touch: SessionTouch): void {
    this.merge(touch);
    this.arm();
  }

  private merge(touch: SessionTouch): void {
    const key = `${touch.offline ? 'of' : 'on'}:${touch.userSessionId}:${touch.clientUuid ?? ''}`;
    const previous = this.pending.get(key);
    this.pending.set(key, previous ? { ...touch, lastRefresh: Math.max(previous.lastRefresh, touch.lastRefresh), expiresAt: Math.max(previous.expiresAt, touch.expiresAt) } : touch);
  }

  private arm(): void {
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Writes everything pending now; resolves when it is durable. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const previous = this.inFlight;
    this.inFlight = (async () => {
      await previous;
      if (batch.length === 0) return;
      try {
        await this.store.touch(batch);
      } catch (error) {
        this.onError(error);
        // The store is away for a moment (restart, busy): keep the batch for the next flush rather
        // than shorten these sessions. It cannot grow past one entry per session.
        if (error instanceof StoreUnavailable) {
          for (const touch of batch) this.merge(touch);
          this.arm();
        }
      }
    })();
    return this.inFlight;
  }
}

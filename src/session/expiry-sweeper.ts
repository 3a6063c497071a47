/**
 * The expiry sweeper (DESIGN rule 7): deletes expired user and offline sessions (with their client
 * sessions), logins in progress, codes and revoked-token records, in bounded batches and off the
 * request path. Expired rows are already refused on read; the sweeper only reclaims space.
 *
 * `runOnce()` is one complete pass: `removeExpired` batch after batch until a batch comes back
 * short (or the per-run cap is reached), yielding to the event loop between batches so requests
 * keep flowing. `start()` repeats it every interval; `exclusive` wraps each scheduled run so a
 * cluster can let one node at a time do it (a singleton job under an advisory lock).
 *
 * The store's `expiresAt` can lag behind a session slid in memory: touches are written only when
 * the stored time is older than the touch bound, and then in the next batch. So the sweeper
 * deletes only rows expired for longer than `marginSeconds` (that bound plus one flush), and never
 * a session that some node still holds as alive.
 */
import { setImmediate as yieldToRequests } from 'node:timers/promises';
import { nowSeconds, type Clock } from '../clock/index.ts';
import type { SessionStore } from './session-store.ts';

export interface ExpirySweeperOptions {
  store: SessionStore;
  clock: Clock;
  /** Seconds between scheduled runs; 0 = no schedule (runs only when asked). */
  intervalSeconds: number;
  /** Rows of each kind per `removeExpired` call. */
  batchSize: number;
  /** How long past its stored deadline a row must be before it goes (touch bound + flush interval). */
  marginSeconds: number;
  /** Batches in one run at most: a run that reaches it leaves the rest to the next one. */
  maxBatchesPerRun?: number;
  /** Called with the number of rows each batch removed (metrics). */
  onRemoved?: (count: number) => void;
  onError?: (error: unknown) => void;
  /** Called when a pass ends, with what it did or the error that stopped it (metrics). */
  onRun?: (result: SweepResult | undefined, error?: unknown) => void;
  /** Wraps every scheduled run, e.g. in a cluster-wide singleton lock. Runs it directly by default. */
  exclusive?: (run: () => Promise<void>) => Promise<unknown>;
}

export interface SweepResult {
  removed: number;
  batches: number;
  /** False when the run stopped at the batch cap or on `stop()` with expired rows possibly left. */
  complete: boolean;
}

const DEFAULT_MAX_BATCHES = 10_000;

export class ExpirySweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepResult> | undefined;
  private stopped = false;

  constructor(private readonly options: ExpirySweeperOptions) {}

  /** One pass over everything expired; concurrent callers share the pass in progress. */
  runOnce(): Promise<SweepResult> {
    this.running ??= this.sweep()
      .then(
        (result) => {
          this.options.onRun?.(result);
          return result;
        },
        (error: unknown) => {
          this.options.onRun?.(undefined, error);
          throw error;
        },
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Schedules a run every `intervalSeconds` (the first one interval from now). */
  start(): void {
    if (this.options.intervalSeconds <= 0 || this.stopped) return;
    const exclusive = this.options.exclusive ?? ((run) => run());
    const tick = (): void => {
      this.timer = undefined;
      void Promise.resolve()
        .then(() => exclusive(async () => void (await this.runOnce())))
        .catch((error) => this.options.onError?.(error))
        .finally(() => this.schedule(tick));
    };
    this.schedule(tick);
  }

  /** Stops the schedule and waits for a run in progress, which ends after its current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private schedule(tick: () => void): void {
    if (this.stopped) return;
    this.timer = setTimeout(tick, this.options.intervalSeconds * 1000);
    this.timer.unref();
  }

  private async sweep(): Promise<SweepResult> {
    const { store, clock, batchSize, marginSeconds, onRemoved } = this.options;
    const maxBatches = this.options.maxBatchesPerRun ?? DEFAULT_MAX_BATCHES;
    const cutoff = nowSeconds(clock) - marginSeconds;
    let removed = 0;
    for (let batches = 1; ; batches += 1) {
      const count = await store.removeExpired(cutoff, batchSize);
      removed += count;
      if (count > 0) onRemoved?.(count);
      if (count < batchSize) return { removed, batches, complete: true };
      if (this.stopped || batches >= maxBatches) return { removed, batches, complete: false };
      await yieldToRequests();
    }
  }
}

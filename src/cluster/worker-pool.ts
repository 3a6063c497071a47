/**
 * The primary process of a node run with `--workers N`: it holds the node's data directory,
 * starts N workers (node:cluster; they share the listening ports, the primary hands connections
 * out round-robin), relays cache invalidations between them, and restarts a worker that dies.
 *
 * - Worker 0 starts alone and the others once it listens: it migrates the schema, seeds the demo
 *   realms and creates keys, work that must not run twice at once on one SQLite file. Only that
 *   first start prepares: every later start (the other workers, any restarted one) only checks
 *   the schema, so a restart never takes SQLite's write lock from the workers still serving.
 *   Worker 0 also runs the singleton jobs (expiry sweeps), and a restarted worker 0 takes them
 *   up again.
 * - An invalidation from one worker goes to every other; the publisher is told "published" once
 *   every ready worker acknowledged it. A worker that has not acknowledged within ACK_TIMEOUT_MS
 *   is killed, so it can never serve what another worker revoked, and is restarted with empty
 *   caches.
 * - A worker that exits while the node is not stopping is started again after RESTART_DELAY_MS;
 *   the other workers keep serving meanwhile (only the dead worker's own connections are cut).
 *   A worker that keeps dying (MAX_RESTARTS within RESTART_WINDOW_MS) stops the node instead.
 * - SIGTERM/SIGINT go to every worker, which drain and exit as a single node does.
 */
import cluster, { type Worker } from 'node:cluster';
import type { ClusterLog } from './log.ts';
import { isWorkerMessage, WORKER_INDEX_VARIABLE, WORKER_PREPARES_VARIABLE, type RelayedInvalidation, type WorkerMessage } from './worker-messages.ts';

const ACK_TIMEOUT_MS = 5_000;
const RESTART_DELAY_MS = 500;
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** How long stopping workers may take (their shutdown delay comes on top) before they are killed. */
const STOP_TIMEOUT_MS = 30_000;

interface Pending {
  origin: Worker;
  id: number;
  waiting: Set<Worker>;
  timer: NodeJS.Timeout;
}

export interface WorkerPoolOptions {
  workers: number;
  /** Variables every worker gets (the data-directory holder). */
  env: Record<string, string>;
  log: ClusterLog;
  /** Seconds a stopping worker keeps answering before it closes (`--shutdown-delay`). */
  shutdownDelaySeconds: number;
  /** Called when the node cannot go on (a worker that keeps dying): the process should exit. */
  onFatal(code: number): void;
}

export class WorkerPool {
  private readonly slots: Array<Worker | undefined>;
  private readonly ready = new Set<Worker>();
  private readonly pending = new Map<string, Pending>();
  private readonly restarts: number[][];
  private stopping = false;
  /** Worker 0 has listened once: the database is prepared. */
  private prepared = false;

  constructor(private readonly options: WorkerPoolOptions) {
    this.slots = new Array(options.workers).fill(undefined);
    this.restarts = Array.from({ length: options.workers }, () => []);
  }

  /** Starts worker 0, then the others; resolves once all listen, rejects if one exits first. */
  async start(): Promise<void> {
    await this.fork(0);
    await Promise.all(this.slots.slice(1).map((_, i) => this.fork(i + 1)));
  }

  /** The workers' pids by index (tests find a worker to kill this way, through the log). */
  pids(): Array<number | undefined> {
    return this.slots.map((w) => w?.process.pid);
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    this.stopping = true;
    const live = this.slots.filter((w): w is Worker => w !== undefined && !w.isDead());
    const exits = live.map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))));
    for (const worker of live) worker.process.kill(signal);
    const deadline = setTimeout(() => {
      for (const worker of live) if (!worker.isDead()) worker.process.kill('SIGKILL');
    }, STOP_TIMEOUT_MS + this.options.shutdownDelaySeconds * 1000);
    await Promise.all(exits);
    clearTimeout(deadline);
  }

  private fork(index: number): Promise<void> {
    const worker = cluster.fork({ ...this.options.env, [WORKER_INDEX_VARIABLE]: String(index), [WORKER_PREPARES_VARIABLE]: this.prepared ? '0' : '1' });
    this.slots[index] = worker;
    worker.on('message', (message: unknown) => this.receive(worker, message));
    return new Promise((resolve, reject) => {
      let listening = false;
      worker.on('message', (message: unknown) => {
        if (isWorkerMessage(message) && message.holdfast === 'ready' && !listening) {
          listening = true;
          this.prepared = true;
          this.ready.add(worker);
          resolve();
        }
      });
      worker.once('exit', (code, signal) => {
        this.forget(worker);
        // The worker said why (a bad flag, a data directory in use): the node exits as it did.
        if (!listening) reject(Object.assign(new Error(`worker ${index} exited before it was ready (${signal ?? `code ${code}`})`), { exitCode: code || 1 }));
        if (this.stopping || !listening) return;
        this.options.log.warn({ worker: index, pid: worker.process.pid, code, signal }, 'worker died: starting it again');
        this.restart(index);
      });
    });
  }

  private restart(index: number): void {
    const now = Date.now();
    const recent = this.restarts[index].filter((at) => now - at < RESTART_WINDOW_MS);
    recent.push(now);
    this.restarts[index] = recent;
    if (recent.length > MAX_RESTARTS) {
      this.options.log.error({ worker: index, restarts: recent.length }, 'worker keeps dying: stopping the node');
      void this.stop('SIGTERM').then(() => this.options.onFatal(1));
      return;
    }
    setTimeout(() => {
      if (this.stopping) return;
      this.fork(index).catch((error) => {
        this.options.log.error({ worker: index, err: error }, 'restarted worker failed to start');
        if (!this.stopping) this.restart(index);
      });
    }, RESTART_DELAY_MS).unref();
  }

  private receive(origin: Worker, message: unknown): void {
    if (!isWorkerMessage(message)) return;
    if (message.holdfast === 'invalidate') this.relay(origin, message.id, message);
    else if (message.holdfast === 'invalidated') this.acknowledged(message.origin, message.id, origin);
  }

  private relay(origin: Worker, id: number, message: WorkerMessage & { holdfast: 'invalidate' }): void {
    const relayed: RelayedInvalidation = { ...message, origin: origin.id };
    const waiting = new Set<Worker>();
    for (const worker of this.slots) {
      if (!worker || worker === origin || worker.isDead() || !worker.isConnected()) continue;
      // Workers still starting get it too, but are not waited for: they serve nothing yet.
      if (this.ready.has(worker)) waiting.add(worker);
      worker.send(relayed);
    }
    const key = `${origin.id}:${id}`;
    const timer = setTimeout(() => this.timedOut(key), ACK_TIMEOUT_MS);
    timer.unref();
    this.pending.set(key, { origin, id, waiting, timer });
    this.settle(key);
  }

  private acknowledged(originId: number, id: number, from: Worker): void {
    const key = `${originId}:${id}`;
    this.pending.get(key)?.waiting.delete(from);
    this.settle(key);
  }

  /** A worker that does not apply an invalidation could serve a revoked session: it goes. */
  private timedOut(key: string): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    for (const worker of entry.waiting) {
      this.options.log.error({ pid: worker.process.pid }, 'worker did not apply a cache invalidation in time: killing it');
      worker.process.kill('SIGKILL');
    }
    entry.waiting.clear();
    this.settle(key);
  }

  private settle(key: string): void {
    const entry = this.pending.get(key);
    if (!entry || entry.waiting.size > 0) return;
    clearTimeout(entry.timer);
    this.pending.delete(key);
    if (!entry.origin.isDead() && entry.origin.isConnected()) entry.origin.send({ holdfast: 'published', id: entry.id } satisfies WorkerMessage);
  }

  private forget(worker: Worker): void {
    this.ready.delete(worker);
    for (const [key, entry] of this.pending) {
      if (entry.origin === worker) {
        clearTimeout(entry.timer);
        this.pending.delete(key);
        continue;
      }
      entry.waiting.delete(worker);
      this.settle(key);
    }
  }
}

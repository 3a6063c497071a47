/**
 * Jobs that one node at a time runs (DESIGN rule 7): the expiry sweeper and other periodic work.
 * On PostgreSQL each job is an advisory lock taken with `pg_try_advisory_lock` on a connection of
 * the node's own. A periodic job's lock is kept between runs, so one node runs it steadily; when
 * that node dies its connection closes, PostgreSQL releases the lock, and the next node whose
 * timer fires takes the job over. Jobs must stay correct if run twice (a lock lost to a network
 * drop is noticed at the next run, not at once), which batched conditional deletes are.
 */
import type pg from 'pg';
import { advisoryKey, primaryLocator } from '../store/sql/index.ts';
import type { ClusterLog } from './log.ts';

export interface SingletonJobs {
  /** Runs `work` once if no other node is running the job `name` now; false when one is. */
  runSingleton(name: string, work: () => Promise<void>): Promise<boolean>;
  /** Every `intervalMs`, runs `work` if this node holds (or can take) the job `name`. */
  every(name: string, intervalMs: number, work: () => Promise<void>): void;
  /** Stops the timers, waits for running jobs and releases every lock. */
  close(): Promise<void>;
}

/** Shared bookkeeping: timers, and no job overlapping itself on this node. */
abstract class JobTimers implements SingletonJobs {
  private readonly timers: NodeJS.Timeout[] = [];
  protected readonly running = new Map<string, Promise<boolean>>();
  protected closed = false;

  constructor(protected readonly log: ClusterLog) {}

  runSingleton(name: string, work: () => Promise<void>): Promise<boolean> {
    return this.exclusively(name, () => this.runLocked(name, work, false));
  }

  every(name: string, intervalMs: number, work: () => Promise<void>): void {
    const timer = setInterval(() => {
      void this.exclusively(name, () => this.runLocked(name, work, true)).catch((error) => this.log.error({ err: error, job: name }, 'singleton job failed'));
    }, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled([...this.running.values()]);
  }

  private exclusively(name: string, run: () => Promise<boolean>): Promise<boolean> {
    if (this.closed || this.running.has(name)) return Promise.resolve(false);
    const pending = run().finally(() => this.running.delete(name));
    this.running.set(name, pending);
    return pending;
  }

  /** Runs `work` under the job's lock; `keep` holds the lock afterwards (periodic jobs). */
  protected abstract runLocked(name: string, work: () => Promise<void>, keep: boolean): Promise<boolean>;
}

/**
 * One node (SQLite, or a store without locks): every job is this node's. Of a node's workers
 * (`--workers N`) only worker 0 runs them (`owner`), so each job runs once per node; the
 * primary restarts worker 0 if it dies, and the jobs with it.
 */
export class LocalSingletonJobs extends JobTimers {
  constructor(
    log: ClusterLog,
    private readonly owner = true,
  ) {
    super(log);
  }

  protected async runLocked(name: string, work: () => Promise<void>): Promise<boolean> {
    if (!this.owner) return false;
    await work();
    this.log.debug?.({ job: name }, 'singleton job ran');
    return true;
  }
}

export class PgSingletonJobs extends JobTimers {
  private client: Promise<pg.Client> | undefined;
  private current: pg.Client | undefined;
  /** Jobs whose lock this node's connection holds between runs. */
  private readonly held = new Set<string>();

  constructor(
    private readonly url: string,
    log: ClusterLog,
  ) {
    super(log);
  }

  protected async runLocked(name: string, work: () => Promise<void>, keep: boolean): Promise<boolean> {
    const client = await this.connection();
    const key = advisoryKey(name);
    if (this.held.has(name)) {
      // Still ours only if the connection that holds it still answers.
      await this.ask(client, 'SELECT 1', []);
    } else {
      const { rows } = await this.ask(client, 'SELECT pg_try_advisory_lock($1, $2) AS locked', key);
      if (rows[0]?.locked !== true) return false;
      if (keep) {
        this.held.add(name);
        this.log.info({ job: name }, 'this node now runs the job');
      }
    }
    try {
      await work();
      return true;
    } finally {
      if (!keep && !this.held.has(name)) await this.ask(client, 'SELECT pg_advisory_unlock($1, $2)', key).catch(() => undefined);
    }
  }

  override async close(): Promise<void> {
    await super.close();
    const client = this.current;
    this.client = undefined;
    this.current = undefined;
    this.held.clear();
    // Closing the connection releases every lock it holds.
    await client?.end().catch(() => undefined);
  }

  private connection(): Promise<pg.Client> {
    this.client ??= (async () => {
      let client: pg.Client;
      try {
        client = await (await primaryLocator(this.url)).connect({ application_name: 'holdfast-jobs', keepAlive: true, connectionTimeoutMillis: 5_000, query_timeout: 10_000 });
      } catch (error) {
        this.client = undefined;
        throw error;
      }
      const drop = () => this.drop(client);
      client.on('error', drop);
      client.on('end', drop);
      this.current = client;
      return client;
    })();
    return this.client;
  }

  private async ask(client: pg.Client, text: string, values: unknown[]): Promise<pg.QueryResult> {
    try {
      return await client.query(text, values);
    } catch (error) {
      this.drop(client);
      throw error;
    }
  }

  /** The connection is gone, and with it every lock it held: the jobs are up for grabs again. */
  private drop(client: pg.Client): void {
    void client.end().catch(() => undefined);
    if (client !== this.current) return;
    this.current = undefined;
    if (this.held.size > 0) this.log.warn({ jobs: [...this.held] }, 'lost the connection holding singleton jobs');
    this.held.clear();
    this.client = undefined;
  }
}

/**
 * The load generator child and its IPC protocol, both sides: the runner forks a worker module
 * (`load-worker.ts` for the bench, `soak-load.ts` for the soak), moves it to CPU 1 and sends it
 * jobs; the worker answers each with its result, and may report progress on the way. Every job
 * is bounded: a result that does not come in time rejects, and stop() ends the child.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { LOAD_CPU, ROOT } from './server.ts';
import type { Job, LoadResult } from './load-worker.ts';

/** What bounds a job: its duration, or (a job that sends a fixed list once) a fixed deadline. */
export interface BoundedJob {
  seconds: number;
  once?: boolean;
}

type Message<R, P> = { ready?: boolean; id?: number; result?: R; progress?: P; error?: string };

interface Waiter<R, P> {
  resolve: (result: R) => void;
  reject: (error: Error) => void;
  progress?: (progress: P) => void;
}

const STOP_GRACE_MS = 5_000;

export class LoadGenerator<J extends BoundedJob = Job, R = LoadResult, P = never> {
  private next = 0;
  private readonly pending = new Map<number, Waiter<R, P>>();
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: Message<R, P>) => {
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter) return;
      if (message.progress !== undefined) return waiter.progress?.(message.progress);
      this.pending.delete(message.id!);
      if (message.error) waiter.reject(new Error(message.error));
      else waiter.resolve(message.result!);
    });
    child.on('exit', () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error('load generator exited'));
      this.pending.clear();
    });
  }

  /** Forks `worker` (a path from the repository root) and pins it to the load CPU (or `cpu`). */
  static async start<J extends BoundedJob = Job, R = LoadResult, P = never>(worker = 'bench/load-worker.ts', cpu = LOAD_CPU): Promise<LoadGenerator<J, R, P>> {
    const child = fork(path.join(ROOT, worker), [], { execArgv: ['--import', 'tsx'], cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const [first] = (await once(child, 'message')) as [{ ready?: boolean }];
    if (!first.ready) throw new Error('load generator did not start');
    execFileSync('taskset', ['-a', '-p', '-c', cpu, String(child.pid)], { stdio: 'ignore' });
    return new LoadGenerator<J, R, P>(child);
  }

  run(job: J, onProgress?: (progress: P) => void): Promise<R> {
    const id = this.next++;
    const bound = (job.once ? 600 : job.seconds + 120) * 1000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load job ${id} did not finish in ${bound} ms`)), bound);
      this.pending.set(id, {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
        progress: onProgress,
      });
      this.child.send({ id, job });
    });
  }

  /** SIGTERM, then SIGKILL if the child is still there after a grace period. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}

/** The worker's side: runs each job it is sent and answers with its result, progress first. */
export function serveJobs<J, R, P = never>(run: (job: J, progress: (progress: P) => void) => Promise<R>): void {
  const send = process.send!.bind(process);
  process.on('message', async (message: { id: number; job: J }) => {
    try {
      const result = await run(message.job, (progress) => send({ id: message.id, progress }));
      send({ id: message.id, result });
    } catch (error) {
      send({ id: message.id, error: (error as Error).stack ?? String(error) });
    }
  });
  send({ ready: true });
}

/**
 * A throwaway redis-server (AOF on, `appendfsync always`, no RDB) on a free loopback port, that
 * tests stop and start again on the same data directory, so a restart finds its AOF.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

export const REDIS_SERVER = '/usr/bin/redis-server';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** True once the server answers PING (not while it is still loading its AOF). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.once('error', () => done(false));
  });
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await sleep(50);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/** One redis-server process at a time on a fixed port and data directory, so a restart finds its AOF. */
export class ThrowawayRedis {
  private child: ChildProcess | undefined;
  private readonly killOnExit = (): void => void this.child?.kill('SIGKILL');

  constructor(
    readonly port: number,
    readonly dir: string,
    /** Written to `<dir>/redis.conf` after the defaults (a replica's `replicaof`, …): a file, so Sentinel can rewrite it on failover. */
    private readonly extraConfig: string[] = [],
  ) {
    process.once('exit', this.killOnExit);
  }

  async start(): Promise<void> {
    const configFile = `${this.dir}/redis.conf`;
    // Written once: after a failover Sentinel has rewritten it (the replica became a master).
    if (!fs.existsSync(configFile)) {
      const lines = [`port ${this.port}`, 'bind 127.0.0.1', `dir ${this.dir}`, 'appendonly yes', 'appendfsync always', 'save ""', ...this.extraConfig];
      fs.writeFileSync(configFile, lines.join('\n') + '\n');
    }
    this.child = spawn(REDIS_SERVER, [configFile], { stdio: 'ignore' });
    await until('redis-server ready', () => answersPing(this.port), 10_000);
  }

  /** Sends a signal without waiting (SIGSTOP / SIGCONT: a server that holds its connections but answers nothing). */
  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /** Sends `signal`, then SIGKILL if the server has not exited within 5 s. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    await this.stop();
    process.off('exit', this.killOnExit);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}


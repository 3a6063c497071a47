/**
 * The processes under test: holdfast and the peer, each pinned to CPU 0 with `taskset`, started
 * on a loopback port and polled until ready (the poll interval bounds the restart-to-ready
 * resolution). Also reads what the bench measures from outside: /metrics counters and RSS.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../test/support/process.ts';
import type { Stores } from './seed.ts';
import { newKeyEncryptionKeyText } from '../src/crypto/index.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const SERVER_CPU = '0';
export const LOAD_CPU = '1';
const READY_POLL_MS = 10;
const READY_DEADLINE_MS = 60_000;

export { buildBundle } from '../test/support/process.ts';
export { freePort };

export interface Running {
  url: string;
  /** holdfast's management interface (health, metrics); the peer has none. */
  managementUrl?: string;
  pid: number;
  /** Milliseconds from spawn to the first successful readiness probe. */
  readyMs: number;
  output(): string;
  /** SIGTERM, bounded wait, SIGKILL after it. */
  stop(): Promise<void>;
}

async function launch(args: string[], url: string, readyUrl: string, env: NodeJS.ProcessEnv = {}, cpus = SERVER_CPU): Promise<Running> {
  const started = performance.now();
  const child: ChildProcess = spawn('taskset', ['-c', cpus, process.execPath, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  child.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  let readyMs: number | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(readyUrl, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status < 500) {
        readyMs = performance.now() - started;
        break;
      }
    } catch {
      // not listening yet
    }
    if (performance.now() - started > READY_DEADLINE_MS) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  return {
    url,
    pid: child.pid!,
    readyMs,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface HoldfastOptions {
  stores: Stores;
  port: number;
  /** A bundle from buildBundle() to run instead of src/main.ts through tsx. */
  bundle?: string;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir', dir]. */
  nodeFlags?: string[];
  extraArgs?: string[];
  /** `--log-level`; warn by default, so log lines cost nothing unless a scenario asks for them. */
  logLevel?: string;
  /** CPUs the server (every worker of it) may run on, as taskset takes them; CPU 0 by default. */
  cpus?: string;
}

/** The key-encryption key of a bench instance: `<data-dir>/kek`, given explicitly (as production would) on every backend. */
export function benchKekFile(stores: Stores): string {
  const file = path.join(stores.dataDir, 'kek');
  if (!fs.existsSync(file)) fs.writeFileSync(file, newKeyEncryptionKeyText(), { mode: 0o600 });
  return file;
}

export async function startHoldfast({ stores, port, bundle, nodeFlags = [], extraArgs = [], logLevel = 'warn', cpus }: HoldfastOptions): Promise<Running> {
  const managementUrl = `http://127.0.0.1:${await freePort()}`;
  const backendArgs =
    stores.backend === 'postgres'
      ? ['--db', 'postgres', '--db-url', stores.dbUrl!]
      : stores.backend === 'redis'
        ? ['--sessions', 'redis', '--sessions-url', stores.redisUrl!, '--sessions-key-prefix', stores.redisPrefix!]
        : stores.backend === 'memory'
          ? ['--sessions', 'memory']
          : [];
  const args = [
    ...nodeFlags,
    ...(bundle ? [bundle] : ['--import', 'tsx', 'src/main.ts']),
    // Development mode: the issuer comes from the request (no --hostname).
    'start-dev',
    '--demo',
    '--http-host',
    '127.0.0.1',
    '--http-port',
    String(port),
    '--http-management-port',
    new URL(managementUrl).port,
    '--data-dir',
    stores.dataDir,
    '--log-level',
    logLevel,
    '--kek-file',
    benchKekFile(stores),
    ...backendArgs,
    ...extraArgs,
  ];
  return { ...(await launch(args, `http://127.0.0.1:${port}`, `${managementUrl}/health/ready`, {}, cpus)), managementUrl };
}

export function startPeer(port: number, nodeFlags: string[] = []): Promise<Running> {
  const url = `http://127.0.0.1:${port}`;
  return launch([...nodeFlags, '--import', 'tsx', 'bench/peers/oidc-provider.ts', '--port', String(port)], url, `${url}/.well-known/openid-configuration`);
}

let clockTicksPerSecond: number | undefined;

/** User + system CPU time of every thread of a process, in seconds (/proc/<pid>/stat fields 14 and 15, in clock ticks). */
export function cpuSeconds(pid: number): number {
  clockTicksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

/** The middle of the values (the upper middle of an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
}

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb * 1024;
}

/** The counters the bench reads from holdfast's /metrics. */
export interface Counters {
  writes: Record<string, number>;
  requests: number;
  /** Of those, answered with a 5xx (`outcome="server_error"`). */
  serverErrors: number;
}

export async function scrapeCounters(url: string): Promise<Counters> {
  const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  const writes: Record<string, number> = {};
  let requests = 0;
  let serverErrors = 0;
  for (const line of text.split('\n')) {
    const write = /^holdfast_store_writes_total\{operation="([^"]+)"\} ([0-9.e+]+)/.exec(line);
    if (write) writes[write[1]] = Number(write[2]);
    const request = /^holdfast_request_duration_seconds_count\{([^}]*)\} ([0-9.e+]+)/.exec(line);
    if (request && !/endpoint="\/metrics"/.test(request[1])) {
      requests += Number(request[2]);
      if (/outcome="server_error"/.test(request[1])) serverErrors += Number(request[2]);
    }
  }
  return { writes, requests, serverErrors };
}

export function counterDelta(before: Counters, after: Counters): { writes: Record<string, number>; totalWrites: number; requests: number } {
  const writes: Record<string, number> = {};
  let totalWrites = 0;
  for (const [operation, value] of Object.entries(after.writes)) {
    const delta = value - (before.writes[operation] ?? 0);
    if (delta > 0) {
      writes[operation] = delta;
      totalWrites += delta;
    }
  }
  return { writes, totalWrites, requests: after.requests - before.requests };
}

/** V8 heap figures from /metrics (prom-client's default metrics), to split RSS into heap and the rest. */
export async function scrapeHeap(url: string): Promise<{ heapUsedBytes: number; heapTotalBytes: number }> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(30_000) })).text();
  const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? NaN);
  return { heapUsedBytes: value('nodejs_heap_size_used_bytes'), heapTotalBytes: value('nodejs_heap_size_total_bytes') };
}

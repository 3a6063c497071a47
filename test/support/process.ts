/**
 * Starts holdfast as a real process (for restart, kill -9 and client tests) on free loopback
 * ports (the public one and the management interface's) with `start-dev` (the URL comes from
 * the request unless `--hostname` is given), and waits until it is ready. Every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { newKeyEncryptionKeyText } from '../../src/crypto/index.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  server.close();
  await once(server, 'close');
  return port;
}

export function tempDir(prefix = 'holdfast-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * holdfast bundled into one ES module as `npm run build` bundles it (scripts/build-server.ts), so
 * the same code can be started without compiling TypeScript on the way: for tests that start a
 * process many times, and for the benchmarks (it separates holdfast's own start-up cost from
 * tsx's). Undefined when esbuild is missing.
 */
export async function buildBundle(): Promise<string | undefined> {
  let build: typeof import('../../scripts/build-server.ts');
  try {
    build = await import('../../scripts/build-server.ts');
  } catch {
    return undefined; // esbuild is not installed
  }
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-bundle-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(directory, 'node_modules'));
  // The bundle `npm run build` makes, so what the tests start is what `npm start` runs.
  return build.buildServer(path.join(directory, 'main.mjs'));
}

/** A new key-encryption key in `<dir>/<name>` (mode 0600), for servers that need one given (PostgreSQL). */
export function writeKekFile(dir: string, name = 'kek'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, newKeyEncryptionKeyText(), { mode: 0o600 });
  return file;
}

export interface RunningHoldfast {
  url: string;
  port: number;
  /** The management interface (`/health/*`, `/metrics`). */
  managementUrl: string;
  managementPort: number;
  process: ChildProcess;
  output(): string;
  /** Sends a signal and waits for the exit code (bounded). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  dataDir: string;
  port?: number;
  managementPort?: number;
  /** `start-dev` unless given (`start` needs `--hostname` in args). */
  command?: 'start' | 'start-dev';
  args?: string[];
  env?: Record<string, string>;
  /** A bundle from buildBundle() to run instead of src/main.ts through tsx (starts in a fraction of the time). */
  bundle?: string;
  /**
   * The `main.ts` of another release, for upgrade tests (default: this checkout's). That release
   * is started as releases before the management interface were: `start` without `--hostname`,
   * health on the public port.
   */
  entry?: string;
  /**
   * The checkout of another release that takes this one's flags (earlier-release.ts): started
   * from its own `src/main.ts` in its own directory, otherwise exactly as this checkout.
   */
  root?: string;
  /** `--http-relative-path` (also the management interface's): the URLs returned include it. */
  relativePath?: string;
}

export async function startHoldfast(options: StartOptions): Promise<RunningHoldfast> {
  const port = options.port ?? (await freePort());
  const earlierRelease = options.entry !== undefined;
  const managementPort = earlierRelease ? port : (options.managementPort ?? (await freePort()));
  const child = spawn(
    process.execPath,
    [
      ...(options.bundle ? [options.bundle] : ['--import', 'tsx', options.entry ?? path.join(options.root ?? ROOT, 'src/main.ts')]),
      ...(earlierRelease ? ['start'] : [options.command ?? 'start-dev', '--http-management-port', String(managementPort)]),
      '--demo',
      '--http-host',
      '127.0.0.1',
      '--http-port',
      String(port),
      '--data-dir',
      options.dataDir,
      '--log-level',
      'warn',
      ...(options.relativePath !== undefined ? ['--http-relative-path', options.relativePath] : []),
      ...(options.args ?? []),
    ],
    // One process unless a test asks for workers (`start` would default to one per CPU core).
    { cwd: options.root ?? ROOT, env: { HOLDFAST_WORKERS: '1', ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}${options.relativePath ?? ''}`;
  const managementUrl = `http://127.0.0.1:${managementPort}${options.relativePath ?? ''}`;
  // A bound, not a timing assertion: a loaded CI machine can take tens of seconds to start tsx.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`holdfast exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${managementUrl}/health/ready`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`holdfast did not become ready in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    port,
    managementUrl,
    managementPort,
    process: child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      // A child killed by a signal has no exit code but its signal: it has exited all the same.
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const [code] = (await exited) as [number | null];
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs one holdfast CLI command (`backup`, `migrate-store`, …) to its end (bounded) and returns its exit code and output. */
export async function runHoldfastCommand(bundle: string | undefined, args: string[], timeoutMs = 120_000): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [...(bundle ? [bundle] : ['--import', 'tsx', path.join(ROOT, 'src/main.ts')]), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output };
}

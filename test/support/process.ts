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
}

export async function startHoldfast(options: StartOptions): Promise<RunningHoldfast> {
  const port = options.port ?? (await freePort());
  const managementPort = options.managementPort ?? (await freePort());
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(ROOT, 'src/main.ts'),
      options.command ?? 'start-dev',
      '--demo',
      '--http-host',
      '127.0.0.1',
      '--http-port',
      String(port),
      '--http-management-port',
      String(managementPort),
      '--data-dir',
      options.dataDir,
      '--log-level',
      'warn',
      ...(options.args ?? []),
    ],
    { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const managementUrl = `http://127.0.0.1:${managementPort}`;
  const deadline = Date.now() + 30_000;
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
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const [code] = (await exited) as [number | null];
      clearTimeout(timer);
      return code;
    },
  };
}

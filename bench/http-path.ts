/**
 * `npm run bench:http-path`: issue 18 item 5, what the token endpoint's HTTP path costs apart from
 * the grant, and so what a leaner path (node:http for the token route, or Fastify without
 * holdfast's hooks) could save. Four servers, each pinned to CPU 0, take the same form POST:
 * node:http alone, Fastify alone, holdfast's public instance with all its hooks (these three
 * answer a token response of a real one's size and do nothing else: bench/http-path-server.ts),
 * and holdfast itself refreshing a real session with `openid` (two RS256 signatures). The load
 * (autocannon, 8 connections, a fixed number of requests) runs here, pinned to CPU 1. The figure is
 * the server's CPU time per request (user + system of every thread, from /proc), the median of
 * the rounds, which a busy machine disturbs far less than req/s.
 *
 *   npm run bench:http-path -- --rounds 5 --requests 20000 [--out bench/results/<date>-http-path]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { TOKEN_PATH } from './http-path-server.ts';
import { buildBundle, cpuSeconds, freePort, median, ROOT, startHoldfast, type Running } from './server.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, requests: { type: 'string', default: '20000' }, out: { type: 'string' } } });
const rounds = Number(values.rounds);
const requests = Number(values.requests);
if (!(rounds >= 1 && rounds <= 10) || !(requests >= 1000 && requests <= 200_000)) throw new Error('--rounds 1..10, --requests 1000..200000');

const STUBS = ['node', 'fastify', 'holdfast'] as const;
type Server = (typeof STUBS)[number] | 'holdfast refresh';
const basic = `Basic ${Buffer.from('demo-service:demo-service-secret').toString('base64')}`;

async function startStub(mode: string): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn('taskset', ['-c', '0', process.execPath, '--import', 'tsx', 'bench/http-path-server.ts', '--mode', mode, '--port', String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${mode} did not start`)), 30_000);
    child.once('message', () => (clearTimeout(timer), resolve()));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`${mode} exited with ${code}`))));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')))),
  };
}

/** Sends `amount` POSTs of `body`; returns req/s and how many were not 2xx. */
async function load(url: string, body: string, amount: number): Promise<{ rps: number; failed: number }> {
  const started = performance.now();
  const result = await autocannon({
    url: `${url}${TOKEN_PATH}`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
    body,
    connections: 8,
    amount,
  });
  return { rps: (result.requests.total * 1000) / (performance.now() - started), failed: result.non2xx + result.errors + result.timeouts };
}

async function measure(url: string, pid: number, body: string): Promise<{ cpuUs: number; rps: number; failed: number }> {
  await load(url, body, Math.min(2000, requests));
  const before = cpuSeconds(pid);
  const { rps, failed } = await load(url, body, requests);
  return { cpuUs: ((cpuSeconds(pid) - before) * 1e6) / requests, rps, failed };
}

async function openSession(server: Running): Promise<string> {
  const response = await fetch(`${server.url}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
    body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice', scope: 'openid' }),
  });
  const body = (await response.json()) as { refresh_token?: string };
  if (!body.refresh_token) throw new Error(`password grant: ${JSON.stringify(body)}`);
  return body.refresh_token;
}

execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
const bundle = await buildBundle();
if (!bundle) throw new Error('needs esbuild to bundle holdfast');
const rows = new Map<Server, Array<{ cpuUs: number; rps: number; failed: number }>>();
const record = (server: Server, row: { cpuUs: number; rps: number; failed: number }) => {
  rows.set(server, [...(rows.get(server) ?? []), row]);
  console.error(`  ${server}: ${row.cpuUs.toFixed(0)} µs CPU per request, ${row.rps.toFixed(0)} req/s, ${row.failed} failed`);
};
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-http-path-'));
try {
  for (let round = 1; round <= rounds; round++) {
    console.error(`round ${round}`);
    for (const mode of STUBS) {
      const stub = await startStub(mode);
      try {
        record(mode, await measure(stub.url, stub.pid, `grant_type=refresh_token&refresh_token=${'x'.repeat(620)}&scope=openid`));
      } finally {
        await stub.stop();
      }
    }
    const server = await startHoldfast({ stores: { backend: 'sqlite', dataDir }, port: await freePort(), bundle, cpus: '0' });
    try {
      const refreshToken = await openSession(server);
      record('holdfast refresh', await measure(server.url, server.pid, `grant_type=refresh_token&refresh_token=${encodeURIComponent(refreshToken)}`));
    } finally {
      await server.stop();
    }
  }
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
}

const summary = [...rows].map(([server, runs]) => ({ server, cpuUs: median(runs.map((r) => r.cpuUs)), rps: median(runs.map((r) => r.rps)), failed: runs.reduce((n, r) => n + r.failed, 0), runs }));
const of = (server: Server) => summary.find((s) => s.server === server)!.cpuUs;
const refresh = of('holdfast refresh');
const table = [
  `## Token endpoint HTTP path, ${new Date().toISOString().slice(0, 10)} (${rounds} rounds × ${requests} requests, server on CPU 0, load on CPU 1)`,
  '',
  '| server | CPU µs per request (median) | vs node:http | share of a holdfast refresh | req/s (median, noise) | failed |',
  '|---|---:|---:|---:|---:|---:|',
  ...summary.map((s) => `| ${s.server} | ${s.cpuUs.toFixed(0)} | +${(s.cpuUs - of('node')).toFixed(0)} | ${((100 * s.cpuUs) / refresh).toFixed(0)} % | ${s.rps.toFixed(0)} | ${s.failed} |`),
].join('\n');
console.log(table);
if (values.out) {
  fs.mkdirSync(path.dirname(values.out), { recursive: true });
  fs.writeFileSync(`${values.out}.json`, JSON.stringify({ date: new Date().toISOString(), rounds, requests, summary }, null, 2));
  fs.writeFileSync(`${values.out}.md`, table + '\n');
  console.error(`wrote ${values.out}.json and .md`);
}

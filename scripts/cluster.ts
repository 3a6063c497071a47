/**
 * `npm run cluster`: a local holdfast cluster for trials, from the machine's binaries. Three
 * nodes on PostgreSQL (127.0.0.1:8081-8083, routes node1-node3, management interfaces on
 * 9001-9003) behind HAProxy on :8080 with deploy/haproxy.cfg (statistics on 127.0.0.1:8404),
 * run as that file says (`start --hostname … --proxy-headers xforwarded`). The database is
 * created when missing.
 *
 * A node that exits is started again after a second, so `kill -TERM <pid>` (a clean restart) or
 * `kill -9 <pid>` (a crash) on the printed process ids tries out what the cluster survives.
 * Ctrl-C stops everything.
 *
 * Environment: HOLDFAST_DB_URL (default postgres://postgres@127.0.0.1:5432/holdfast), HAPROXY
 * (path of the binary), HOLDFAST_PUBLIC_URL (default http://localhost:8080), HOLDFAST_KEK_FILE or
 * HOLDFAST_KEK (the nodes' key-encryption key; default data/cluster-kek, generated once and kept
 * with the database it seals).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { newKeyEncryptionKeyText } from '../src/crypto/index.ts';
import { haproxyBinary, prefixed, waitReady } from './local-processes.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DB_URL = process.env.HOLDFAST_DB_URL ?? 'postgres://postgres@127.0.0.1:5432/holdfast';
const PUBLIC_URL = process.env.HOLDFAST_PUBLIC_URL ?? 'http://localhost:8080';
const NODES = [1, 2, 3].map((i) => ({ route: `node${i}`, port: 8080 + i, managementPort: 9000 + i }));

/** The key-encryption key every node gets: the operator's, or one kept in data/ for this trial cluster. */
function kekArgs(): string[] {
  if (process.env.HOLDFAST_KEK_FILE || process.env.HOLDFAST_KEK) return [];
  const file = path.join(ROOT, 'data', 'cluster-kek');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, newKeyEncryptionKeyText(), { mode: 0o600, flag: 'wx' });
    console.log(`[cluster] generated the key-encryption key ${file}`);
  }
  return ['--kek-file', file];
}

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`HOLDFAST_DB_URL: unsupported database name '${name}'`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${name}`);
      console.log(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

let stopping = false;
const children = new Map<string, ChildProcess>();

function startNode(node: (typeof NODES)[number]): void {
  const child = spawn(
    process.execPath,
    [
      ...['--import', 'tsx', 'src/main.ts', 'start', '--demo', '--db', 'postgres', '--db-url', DB_URL, ...kekArgs(), '--http-host', '127.0.0.1', '--http-port', String(node.port)],
      ...['--http-management-port', String(node.managementPort), '--node-route', node.route, '--hostname', PUBLIC_URL],
      ...['--proxy-headers', 'xforwarded', '--proxy-trusted-addresses', '127.0.0.1', '--shutdown-delay', '3'],
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.set(node.route, child);
  prefixed(child, node.route);
  console.log(`[cluster] ${node.route} started: pid ${child.pid}, http://127.0.0.1:${node.port}`);
  child.on('exit', (code, signal) => {
    children.delete(node.route);
    if (stopping) return;
    console.log(`[cluster] ${node.route} exited (${signal ?? code}); starting it again in 1 s`);
    setTimeout(() => !stopping && startNode(node), 1000);
  });
}

function stopAll(): void {
  if (stopping) return;
  stopping = true;
  console.log('[cluster] stopping');
  for (const child of children.values()) child.kill('SIGTERM');
  const timer = setTimeout(() => process.exit(1), 15_000);
  timer.unref();
  const wait = setInterval(() => {
    if (children.size === 0) {
      clearInterval(wait);
      process.exit(0);
    }
  }, 100);
}

async function main(): Promise<void> {
  const haproxy = haproxyBinary();
  await ensureDatabase(DB_URL);
  for (const node of NODES) startNode(node);
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  await Promise.all(NODES.map((node) => waitReady(node.managementPort)));

  const proxy = spawn(haproxy, ['-db', '-f', path.join(ROOT, 'deploy/haproxy.cfg')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.set('haproxy', proxy);
  prefixed(proxy, 'haproxy');
  proxy.on('exit', (code) => {
    children.delete('haproxy');
    if (!stopping) {
      console.error(`[cluster] haproxy exited (${code}); stopping`);
      stopAll();
    }
  });
  console.log(
    [
      '',
      `holdfast cluster: ${PUBLIC_URL} (HAProxy) → nodes on 127.0.0.1:8081-8083 (health, metrics on :9001-9003), database ${DB_URL}`,
      `  HAProxy statistics   http://127.0.0.1:8404/`,
      `  discovery            ${PUBLIC_URL}/realms/demo/.well-known/openid-configuration`,
      `  token                curl -d grant_type=password -d client_id=demo-service -d client_secret=demo-service-secret -d username=alice -d password=alice ${PUBLIC_URL}/realms/demo/protocol/openid-connect/token`,
      `  restart a node       kill -TERM <pid>   (crash one: kill -9 <pid>; it is started again)`,
      `  stop                 Ctrl-C`,
      '',
    ].join('\n'),
  );
}

main().catch((error) => {
  console.error(`[cluster] ${error instanceof Error ? error.message : error}`);
  stopAll();
});

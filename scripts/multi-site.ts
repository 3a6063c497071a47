/**
 * `npm run multi-site`: two sites on this machine, to try losing one. PostgreSQL runs as a primary
 * in site A and a synchronous standby in site B (initdb, pg_basebackup -R and
 * synchronous_standby_names, from the machine's binaries, in a temporary directory, on free
 * loopback ports). Each site has two holdfast nodes, given both database hosts in one --db-url
 * with their own site's first, and an HAProxy of its own; a global HAProxy on :8080 sends traffic
 * to every site whose HAProxy reports at least one ready node (health checks on /health/ready).
 * It prints what to kill to lose site A and the command that promotes the standby. Nodes that
 * exit are not started again: a lost site stays lost. Ctrl-C stops everything and removes the
 * data directories.
 *
 * Environment: HAPROXY (path of the binary), HOLDFAST_PUBLIC_URL (default http://localhost:8080).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newKeyEncryptionKeyText } from '../src/crypto/index.ts';
import { PrivatePostgres } from '../test/support/private-postgres.ts';
import { haproxyBinary, prefixed, waitReady } from './local-processes.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const PUBLIC_URL = process.env.HOLDFAST_PUBLIC_URL ?? 'http://localhost:8080';
const SITES = [
  { name: 'a', proxyPort: 8181, monitorPort: 8191, nodes: [1, 2] },
  { name: 'b', proxyPort: 8182, monitorPort: 8192, nodes: [3, 4] },
];
const node = (i: number) => ({ route: `node${i}`, port: 8080 + i, managementPort: 9000 + i });

const children = new Map<string, ChildProcess>();
let stopping = false;
const servers: PrivatePostgres[] = [];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-multi-site-'));

/** Both levels: a request that never reached a server is retried elsewhere (deploy/haproxy.cfg says why). */
const DEFAULTS = [
  'defaults',
  '    mode http',
  '    timeout connect 1s',
  '    timeout client 30s',
  '    timeout server 30s',
  '    timeout check 2s',
  '    retries 3',
  '    option redispatch 1',
  '    retry-on conn-failure empty-response junk-response 503',
];

/** A site's HAProxy: its nodes, checked on their management port; `monitor-uri` tells the global one whether any is ready. */
function siteProxyConfig(site: (typeof SITES)[number]): string {
  const lines = [
    ...DEFAULTS,
    `frontend site_${site.name}`,
    `    bind 127.0.0.1:${site.proxyPort}`,
    `    default_backend site_${site.name}_nodes`,
    `frontend site_${site.name}_monitor`,
    `    bind 127.0.0.1:${site.monitorPort}`,
    '    monitor-uri /health/ready',
    `    monitor fail if { nbsrv(site_${site.name}_nodes) lt 1 }`,
    `backend site_${site.name}_nodes`,
    '    balance roundrobin',
    '    http-request disable-l7-retry unless METH_GET || METH_OPTIONS',
    '    option httpchk GET /health/ready',
    '    http-check expect status 200',
    '    default-server check inter 1s fall 2 rise 2',
    ...site.nodes.map((i) => `    use-server ${node(i).route} if { req.cook(AUTH_SESSION_ID),field(2,.) -m str ${node(i).route} }`),
    ...site.nodes.map((i) => `    server ${node(i).route} 127.0.0.1:${node(i).port} port ${node(i).managementPort}`),
  ];
  return lines.join('\n') + '\n';
}

/** The global HAProxy: both sites active, each as long as its own HAProxy says it has a ready node. */
function globalProxyConfig(): string {
  const lines = [
    ...DEFAULTS,
    'frontend global',
    '    bind :8080',
    '    http-request set-header X-Forwarded-For %[src]',
    '    http-request set-header X-Forwarded-Proto http',
    '    http-request set-header X-Forwarded-Host %[req.hdr(host)]',
    '    default_backend sites',
    'backend sites',
    '    balance roundrobin',
    '    http-request disable-l7-retry unless METH_GET || METH_OPTIONS',
    '    option httpchk GET /health/ready',
    '    http-check expect status 200',
    '    default-server check inter 1s fall 2 rise 2',
    ...SITES.map((site) => `    server site_${site.name} 127.0.0.1:${site.proxyPort} port ${site.monitorPort}`),
    'listen stats',
    '    bind 127.0.0.1:8404',
    '    stats enable',
    '    stats uri /',
  ];
  return lines.join('\n') + '\n';
}

function run(label: string, command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(label, child);
  prefixed(child, label);
  child.on('exit', (code, signal) => {
    children.delete(label);
    if (!stopping) console.log(`[multi-site] ${label} exited (${signal ?? code}); not started again`);
  });
  return child;
}

function startNode(i: number, dbUrl: string, kek: string): ChildProcess {
  const { route, port, managementPort } = node(i);
  return run(route, process.execPath, [
    ...['--import', 'tsx', 'src/main.ts', 'start', '--demo', '--db', 'postgres', '--db-url', dbUrl, '--kek-file', kek, '--http-host', '127.0.0.1', '--http-port', String(port)],
    ...['--http-management-port', String(managementPort), '--node-route', route, '--hostname', PUBLIC_URL, '--data-dir', path.join(work, route)],
    ...['--proxy-headers', 'xforwarded', '--proxy-trusted-addresses', '127.0.0.1', '--shutdown-delay', '3'],
    // One process per node, so the printed pid is the whole node a kill -9 takes away.
    ...['--workers', '1'],
  ]);
}

async function stopAll(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('[multi-site] stopping');
  for (const child of children.values()) child.kill('SIGTERM');
  const deadline = Date.now() + 15_000;
  while (children.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const server of servers) await server.dispose();
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(code);
}

async function main(): Promise<void> {
  const haproxy = haproxyBinary();
  process.on('SIGINT', () => void stopAll());
  process.on('SIGTERM', () => void stopAll());

  const primary = await PrivatePostgres.create();
  servers.push(primary);
  await primary.createDatabase('holdfast');
  const standby = await primary.createStandby('site_b');
  servers.push(standby);
  await primary.requireSynchronous('site_b');
  const dbUrl = (first: PrivatePostgres, second: PrivatePostgres) => `postgres://postgres@127.0.0.1:${first.port},127.0.0.1:${second.port}/holdfast?target_session_attrs=read-write`;
  const kek = path.join(work, 'kek');
  fs.writeFileSync(kek, newKeyEncryptionKeyText(), { mode: 0o600 });

  // The first node migrates and seeds the demo realm; the others start on the ready schema.
  const pids = new Map<number, number | undefined>();
  pids.set(1, startNode(1, dbUrl(primary, standby), kek).pid);
  await waitReady(node(1).managementPort);
  for (const i of [2, 3, 4]) pids.set(i, startNode(i, i <= 2 ? dbUrl(primary, standby) : dbUrl(standby, primary), kek).pid);
  await Promise.all([2, 3, 4].map((i) => waitReady(node(i).managementPort)));

  for (const site of SITES) {
    const file = path.join(work, `haproxy-site-${site.name}.cfg`);
    fs.writeFileSync(file, siteProxyConfig(site));
    run(`haproxy-${site.name}`, haproxy, ['-db', '-f', file]);
  }
  const globalFile = path.join(work, 'haproxy-global.cfg');
  fs.writeFileSync(globalFile, globalProxyConfig());
  run('haproxy-global', haproxy, ['-db', '-f', globalFile]);

  const primaryPid = Number(fs.readFileSync(path.join(primary.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const standbyPid = Number(fs.readFileSync(path.join(standby.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const pgCtl = path.join(standby.binDir, 'pg_ctl');
  const asPostgres = process.getuid?.() === 0 ? 'runuser -u postgres -- ' : '';
  console.log(
    [
      '',
      `two sites: ${PUBLIC_URL} (global HAProxy, statistics http://127.0.0.1:8404/)`,
      `  site A  HAProxy 127.0.0.1:8181  nodes node1 (pid ${pids.get(1)}) node2 (pid ${pids.get(2)}) on 8081-8082  PostgreSQL primary 127.0.0.1:${primary.port} (postmaster pid ${primaryPid})`,
      `  site B  HAProxy 127.0.0.1:8182  nodes node3 (pid ${pids.get(3)}) node4 (pid ${pids.get(4)}) on 8083-8084  PostgreSQL synchronous standby 127.0.0.1:${standby.port}`,
      `  token       curl -d grant_type=password -d client_id=demo-service -d client_secret=demo-service-secret -d username=alice -d password=alice ${PUBLIC_URL}/realms/demo/protocol/openid-connect/token`,
      `  readiness   curl http://127.0.0.1:9003/health/ready   (site B's node3; shows whether the primary has a synchronous standby)`,
      '',
      '  lose site A (its nodes and its database at once):',
      `    kill -9 ${pids.get(1)} ${pids.get(2)} ${primaryPid}`,
      '  site B answers 503 temporarily_unavailable until the standby is promoted:',
      `    ${asPostgres}${pgCtl} -D ${path.join(standby.dir, 'data')} promote`,
      '  then site B serves every session by itself (no restart); the global HAProxy sends everything there.',
      '  Before site A comes back, rebuild its database as a standby of the new primary (docs/multi-site.md).',
      '',
      '  or lose only the standby (every commit then waits for it):',
      `    kill -9 ${standbyPid}`,
      '  writes answer 503 after --db-query-timeout and readiness names the missing standby, until it is started again',
      `    ${asPostgres}${pgCtl} -D ${path.join(standby.dir, 'data')} -l ${path.join(standby.dir, 'server.log')} start`,
      `  or synchronous_standby_names is emptied on the primary (writes then stand in site A only):`,
      `    psql -h 127.0.0.1 -p ${primary.port} -U postgres -c "ALTER SYSTEM SET synchronous_standby_names = ''" -c "SELECT pg_reload_conf()"`,
      '  stop        Ctrl-C',
      '',
    ].join('\n'),
  );
}

main().catch((error) => {
  console.error(`[multi-site] ${error instanceof Error ? error.message : error}`);
  void stopAll(1);
});

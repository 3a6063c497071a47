/**
 * The write pause of a move from Keycloak (issue #19, docs/migrate-from-keycloak.md): how long
 * `holdfast migrate-from-keycloak` takes, Keycloak stopped, for 10k and 100k sessions. A real
 * Keycloak 26.7.3 makes a realm and one online and one offline session through its own token
 * endpoint; after it stops, copies of its database get those sessions' rows repeated under new
 * ids (half online, half offline, each with its client session) up to the size measured, and the
 * command runs against each copy into a fresh PostgreSQL store.
 *
 *   npm run bench:keycloak-migration [-- 10000 100000] [-- --results bench/results/<date>-keycloak-migration-pause]
 *
 * With `--results`, the figures also go to that path's .json and .md.
 */
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { freshDatabase } from '../test/support/postgres.ts';
import { runHoldfastCommand, tempDir, writeKekFile } from '../test/support/process.ts';
import { startKeycloak } from '../test/support/keycloak.ts';

const args = process.argv.slice(2);
const resultsAt = args.includes('--results') ? args[args.indexOf('--results') + 1] : undefined;
const sizes = args.map(Number).filter((n) => n > 0);
if (sizes.length === 0) sizes.push(10_000, 100_000);
const rows: Array<{ sessions: number; seconds: number; sessionsPerSecond: number; carriedOnline: number; carriedOffline: number; clientSessions: number; verified: boolean }> = [];

async function run(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

const keycloak = await startKeycloak({ relativePath: '/auth' });
const copies: string[] = [];
const postgres = keycloak.dbUrl.replace(/\/[^/]+$/, '/postgres');
try {
  await keycloak.admin('POST', '/realms', { realm: 'bench', enabled: true, revokeRefreshToken: true });
  await keycloak.admin('POST', '/realms/bench/clients', { clientId: 'app', publicClient: true, directAccessGrantsEnabled: true, redirectUris: ['http://localhost/*'] });
  await keycloak.admin('POST', '/realms/bench/users', { username: 'bench-user', enabled: true, email: 'bench@example.com', firstName: 'U', lastName: 'U', emailVerified: true, credentials: [{ type: 'password', value: 'pw', temporary: false }] });
  for (const scope of ['openid', 'openid offline_access']) {
    const response = await fetch(`${keycloak.baseUrl}/realms/bench/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', client_id: 'app', username: 'bench-user', password: 'pw', scope }) });
    if (!response.ok) throw new Error(`login: ${response.status} ${await response.text()}`);
  }
  await keycloak.shutdown();
  const kekFile = writeKekFile(tempDir('holdfast-kcbench-'));
  for (const size of sizes) {
    const name = `${keycloak.dbName}_${size}`;
    copies.push(name);
    await run(postgres, `CREATE DATABASE ${name} TEMPLATE ${keycloak.dbName}`);
    const copyUrl = keycloak.dbUrl.replace(/\/[^/]+$/, `/${name}`);
    const columns = async (table: string) =>
      (await run(copyUrl, `SELECT column_name FROM information_schema.columns WHERE table_name = '${table}' AND column_name <> 'user_session_id' ORDER BY ordinal_position`)).rows.map((r) => r.column_name as string);
    const userColumns = (await columns('offline_user_session')).join(', ');
    const clientColumns = (await columns('offline_client_session')).join(', ');
    const realmFilter = "realm_id = (SELECT id FROM realm WHERE name = 'bench')";
    await run(copyUrl, `INSERT INTO offline_user_session (user_session_id, ${userColumns}) SELECT 'bench' || lpad(g::text, 19, '0'), ${userColumns} FROM offline_user_session, generate_series(1, ${Math.floor(size / 2)}) g WHERE ${realmFilter}`);
    await run(
      copyUrl,
      `INSERT INTO offline_client_session (user_session_id, ${clientColumns}) SELECT 'bench' || lpad(g::text, 19, '0'), ${clientColumns.split(', ').map((c) => `cs.${c}`).join(', ')} FROM offline_client_session cs JOIN offline_user_session us ON us.user_session_id = cs.user_session_id AND us.offline_flag = cs.offline_flag, generate_series(1, ${Math.floor(size / 2)}) g WHERE us.${realmFilter} AND us.user_session_id NOT LIKE 'bench%'`,
    );
    const target = await freshDatabase('holdfast_kcbench');
    try {
      const started = Date.now();
      const result = await runHoldfastCommand(undefined, ['migrate-from-keycloak', '--keycloak-db-url', copyUrl, '--db', 'postgres', '--db-url', target.url, '--kek-file', kekFile, '--json'], 3_600_000);
      const seconds = (Date.now() - started) / 1000;
      if (result.code !== 0) throw new Error(`migrate-from-keycloak exited ${result.code}:\n${result.output.slice(-3000)}`);
      const report = JSON.parse(result.output.slice(result.output.indexOf('{')));
      const carried = report.realms[0].carried;
      console.log(`${size} sessions: ${seconds.toFixed(1)} s for the whole command (${carried.online} online + ${carried.offline} offline carried, ${(size / seconds).toFixed(0)} sessions/s, post-flight ${report.realms[0].verified ? 'verified' : 'NOT verified'})`);
      rows.push({ sessions: size, seconds: Number(seconds.toFixed(1)), sessionsPerSecond: Math.round(size / seconds), carriedOnline: carried.online, carriedOffline: carried.offline, clientSessions: carried.clientSessions, verified: report.realms[0].verified === true });
    } finally {
      await target.drop();
    }
  }
  if (resultsAt) writeResults(resultsAt);
} finally {
  for (const name of copies) await run(postgres, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await keycloak.stop();
}

function writeResults(prefix: string): void {
  const date = new Date().toISOString().slice(0, 10);
  const machine = `${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)} at the end, shared with other work`;
  fs.writeFileSync(`${prefix}.json`, `${JSON.stringify({ date, bench: 'keycloak-migration-pause', keycloak: '26.7.3', target: 'PostgreSQL', machine, rows }, null, 2)}\n`);
  const lines = rows.map((r) => `| ${r.sessions.toLocaleString('en-US')} | ${r.seconds} | ${r.sessionsPerSecond.toLocaleString('en-US')} | ${r.carriedOnline.toLocaleString('en-US')} + ${r.carriedOffline.toLocaleString('en-US')} (${r.clientSessions.toLocaleString('en-US')} client sessions) | ${r.verified ? 'counts match' : 'MISMATCH'} |`);
  fs.writeFileSync(
    `${prefix}.md`,
    [
      `# Keycloak migration write pause (${date})`,
      '',
      '`npm run bench:keycloak-migration`: the whole `holdfast migrate-from-keycloak` command (pre-flight, realm import, sessions, post-flight) from a stopped Keycloak 26.7.3 on PostgreSQL into a fresh PostgreSQL store; half the sessions online, half offline, each with one client session. ' + machine + '.',
      '',
      '| sessions | whole command (s) | sessions/s | carried online + offline | post-flight |',
      '|---:|---:|---:|---|---|',
      ...lines,
      '',
    ].join('\n'),
  );
}

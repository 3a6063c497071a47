/**
 * `npm run bench:rotation-store`: refresh-token rotations per second straight on the SQLite
 * session store (no HTTP, no signing), with C concurrent chains (each rotates its own session,
 * one rotation after the other), and the share of the time the event loop was busy. Two modes
 * on the same machine, one after the other: `per-write` is the store as it was before group
 * commit (Kysely's SQLite driver, `synchronous = FULL`: one fsync inside every COMMIT, on the
 * event loop), `grouped` is holdfast's (src/store/sql/group-commit-driver.ts, wal-sync.ts).
 *
 *   npm run bench:rotation-store                 # 8 and 64 chains, 3 s each
 *   npm run bench:rotation-store -- --chains 8,200 --seconds 5
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { openSqlDatabase, SqlSessionStore, sqliteFile, type Database } from '../src/store/sql/index.ts';

const { values } = parseArgs({ args: process.argv.slice(2), options: { chains: { type: 'string' }, seconds: { type: 'string' } } });
const chainCounts = (values.chains ?? '8,64').split(',').map(Number);
const seconds = Number(values.seconds ?? 3);
if (chainCounts.some((c) => !(c >= 1 && c <= 1000)) || !(seconds > 0 && seconds <= 60)) throw new Error('--chains 1..1000 (comma-separated), --seconds (0, 60]');

async function run(mode: 'per-write' | 'grouped', chains: number): Promise<{ rotationsPerSecond: number; eventLoopBusy: number; commits?: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-rotation-store-'));
  const database = await openSqlDatabase({ dialect: 'sqlite', dataDir: dir });
  let raw: SQLite.Database | undefined;
  let db: Kysely<Database> = database.db;
  if (mode === 'per-write') {
    raw = new SQLite(sqliteFile(dir));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  }
  const store = new SqlSessionStore(db);
  const t = Math.floor(Date.now() / 1000);
  for (let c = 0; c < chains; c++) {
    await store.createUserSession({
      id: `s${c}`, offline: false, realmId: 'r', userId: 'u', started: t, lastRefresh: t, rememberMe: false, ipAddress: '192.0.2.1', authTime: t, expiresAt: t + 3600,
      clientSessions: new Map([['c', { clientUuid: 'c', started: t, timestamp: t, scope: 'openid', refreshTokenUses: 0 }]]),
    });
  }
  const commitsBefore = database.commits?.() ?? 0;
  let done = 0;
  const end = Date.now() + seconds * 1000;
  const before = performance.eventLoopUtilization();
  await Promise.all(
    Array.from({ length: chains }, async (_, c) => {
      for (let j = 1; Date.now() < end; j++) {
        const outcome = await store.useRefreshToken(`s${c}`, false, 'c', { jti: `j${j}`, issuedAt: t + 3600, now: t, maxReuse: 0 });
        if (outcome !== 'ok') throw new Error(`rotation ${j} of chain ${c}: ${outcome}`);
        done++;
        // A request's other work: the next rotation of this chain starts on a later turn of the loop.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  const busy = performance.eventLoopUtilization(before).utilization;
  const commits = mode === 'grouped' ? (database.commits?.() ?? 0) - commitsBefore : undefined;
  if (raw) await db.destroy();
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { rotationsPerSecond: done / seconds, eventLoopBusy: busy, commits };
}

const rows: string[] = ['| chains | mode | rotations/s | event loop busy | commits |', '|---:|---|---:|---:|---:|'];
for (const chains of chainCounts) {
  for (const mode of ['per-write', 'grouped'] as const) {
    const r = await run(mode, chains);
    rows.push(`| ${chains} | ${mode} | ${r.rotationsPerSecond.toFixed(0)} | ${(r.eventLoopBusy * 100).toFixed(0)} % | ${r.commits ?? 'one per rotation'} |`);
  }
}
console.log(rows.join('\n'));

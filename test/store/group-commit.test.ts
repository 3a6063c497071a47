/**
 * Group commit on the embedded store (src/store/sql/group-commit-driver.ts): concurrent writes
 * share one SQLite transaction, and keep every guarantee they had alone. Rotation's exact
 * compare-and-set under 200 concurrent uses; a failing statement or transaction fails only its
 * own caller; reads and writes see each other in order; and a kill -9 in the middle of a stream
 * of writes loses none that was acknowledged. (The contract suite runs the same rotation cases
 * on every backend: test/contract/session-store.contract.test.ts.)
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openSqlDatabase, SqlSessionStore, type SqlDatabase } from '../../src/store/sql/index.ts';
import type { UserSession } from '../../src/session/index.ts';
import { ROOT, tempDir } from '../support/process.ts';

const t = Math.floor(Date.now() / 1000);

function session(id: string): UserSession {
  return {
    id, offline: false, realmId: 'realm-gc', userId: 'user-gc', started: t, lastRefresh: t, rememberMe: false, ipAddress: '192.0.2.9', authTime: t, expiresAt: t + 3600,
    clientSessions: new Map([['client-a', { clientUuid: 'client-a', started: t, timestamp: t, scope: 'openid', refreshTokenUses: 0 }]]),
  };
}

describe('group commit on SQLite', () => {
  const dirs: string[] = [];
  const opened: SqlDatabase[] = [];
  async function open(dataDir = tempDir()): Promise<{ database: SqlDatabase; store: SqlSessionStore; dataDir: string }> {
    dirs.push(dataDir);
    const database = await openSqlDatabase({ dialect: 'sqlite', dataDir });
    opened.push(database);
    return { database, store: new SqlSessionStore(database.db), dataDir };
  }
  after(async () => {
    for (const database of opened) await database.close().catch(() => undefined);
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('200 concurrent uses of one refresh token (maxReuse 2) share a few commits and exactly 3 succeed', async () => {
    const { database, store } = await open();
    await store.createUserSession(session('rot'));
    const before = database.commits!();
    const outcomes = await Promise.all(Array.from({ length: 200 }, () => store.useRefreshToken('rot', false, 'client-a', { jti: 'rt-1', issuedAt: t, now: t + 1, maxReuse: 2 })));
    assert.equal(outcomes.filter((o) => o === 'ok').length, 3);
    assert.equal(outcomes.filter((o) => o === 'exceeded').length, 197);
    assert.ok(database.commits!() - before < 10, `200 rotations took ${database.commits!() - before} commits`);
    assert.equal((await store.getUserSession('rot', false))!.clientSessions.get('client-a')!.refreshTokenUses, 200);
  });

  it('a VACUUM issued among concurrent writes runs on its own, after their group commits, and every write stays', async () => {
    const { database, store } = await open();
    const writes = Array.from({ length: 20 }, (_, i) => store.createUserSession(session(`v-${i}`)));
    const vacuum = sql`vacuum`.execute(database.db);
    const later = Array.from({ length: 20 }, (_, i) => store.createUserSession(session(`w-${i}`)));
    await Promise.all([...writes, vacuum, ...later]);
    for (const id of ['v-0', 'v-19', 'w-0', 'w-19']) assert.ok(await store.getUserSession(id, false), id);
  });

  it('a failing statement or transaction fails its own caller only; the rest of its group is durable', async () => {
    const { database, store, dataDir } = await open();
    await store.createUserSession(session('taken'));
    const results = await Promise.allSettled([
      store.createUserSession(session('a')),
      // The same id again: its transaction fails on the primary key and rolls back to its savepoint.
      store.createUserSession(session('taken')),
      store.useRefreshToken('a', false, 'client-a', { jti: 'j1', issuedAt: t, now: t, maxReuse: 0 }),
      store.createUserSession(session('b')),
      store.revokeToken('jti-1', t + 60),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    assert.equal((results[2] as PromiseFulfilledResult<string>).value, 'ok');
    await database.close();
    // Read back through a plain connection: what was acknowledged is in the file.
    const file = new SQLite(path.join(dataDir, 'holdfast.db'), { readonly: true });
    try {
      const ids = file.prepare('SELECT id FROM user_session ORDER BY id').all().map((r: any) => r.id);
      assert.deepEqual(ids, ['a', 'b', 'taken']);
      assert.equal((file.prepare("SELECT refresh_jti FROM client_session WHERE user_session_id = 'a'").get() as any).refresh_jti, 'j1');
      assert.equal((file.prepare('SELECT count(*) AS n FROM revoked_token').get() as any).n, 1);
      const counted = file.prepare("SELECT sum(count) AS n FROM session_count WHERE realm_id = 'realm-gc'").get() as any;
      assert.equal(counted.n, 3, 'the failed login did not count');
    } finally {
      file.close();
    }
  });

  it('a read issued after a write in the same tick sees it', async () => {
    const { store } = await open();
    const [, read] = await Promise.all([store.createUserSession(session('seen')), store.getUserSession('seen', false)]);
    assert.equal(read?.id, 'seen');
  });

  it('kill -9 during a stream of grouped writes loses nothing that was acknowledged', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/group-commit-writer.ts'), dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const acknowledged: string[] = [];
    let lastRotation = 0;
    const lines = readline.createInterface({ input: child.stdout! });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      for await (const line of lines) {
        const [kind, value] = line.split(' ');
        if (kind === 'session') acknowledged.push(value);
        if (kind === 'rotated') lastRotation = Math.max(lastRotation, Number(value));
        // Mid-stream: hundreds acknowledged, more in flight.
        if (acknowledged.length >= 400 && lastRotation > 0) {
          child.kill('SIGKILL');
          break;
        }
      }
    } finally {
      clearTimeout(deadline);
    }
    await exited;
    assert.ok(acknowledged.length >= 400, 'the writer stopped before the kill');
    const { database } = await open(dataDir);
    const rows = await database.db.selectFrom('user_session').select('id').execute();
    const stored = new Set(rows.map((r) => r.id));
    assert.deepEqual(acknowledged.filter((id) => !stored.has(id)), []);
    const rotation = await database.db.selectFrom('client_session').select('refresh_jti').where('user_session_id', '=', 'rotated-session').executeTakeFirstOrThrow();
    assert.ok(Number(rotation.refresh_jti!.slice(2)) >= lastRotation, `stored ${rotation.refresh_jti}, acknowledged j-${lastRotation}`);
  });
});

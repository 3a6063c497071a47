/**
 * Embedded SQLite that cannot write: locked by another process (SQLITE_BUSY: a write transaction
 * held on a second connection) or full (SQLITE_FULL: `max_page_count` pinned to the current size
 * on holdfast's own connection). Logins, rotations, logouts and admin writes answer 503
 * `temporarily_unavailable`, never a 500; nothing acknowledged is lost; once the lock is released
 * or room is made, the same instance serves again.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { DEMO, DEMO_APP_AUTH_QUERY, form, testApp, type TestApp } from '../support/app.ts';
import { tempDir } from '../support/process.ts';

const SERVICE = { client_id: 'demo-service', client_secret: 'demo-service-secret' };
const UNAVAILABLE = { error: 'temporarily_unavailable', error_description: 'Database unavailable' };

describe('SQLite busy or full', () => {
  const dataDir = tempDir();
  let t: TestApp;
  let adminToken: string;

  const password = () => t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'password', username: 'alice', password: 'alice', scope: 'openid', ...SERVICE }) });
  const refresh = (token: string) => t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'refresh_token', refresh_token: token, ...SERVICE }) });
  const logout = (token: string) => t.app.inject({ method: 'POST', url: `${DEMO}/logout`, ...form({ refresh_token: token, ...SERVICE }) });
  const loginPage = () => t.app.inject({ method: 'GET', url: `${DEMO}/auth?${DEMO_APP_AUTH_QUERY}` });
  const createUser = (username: string) =>
    t.app.inject({ method: 'POST', url: '/admin/realms/demo/users', headers: { authorization: `Bearer ${adminToken}` }, payload: { username, enabled: true } });
  const unavailable = (response: { statusCode: number; json(): unknown; body: string }) => {
    assert.equal(response.statusCode, 503, response.body);
    assert.deepEqual(response.json(), UNAVAILABLE);
  };

  before(async () => {
    t = await testApp({ dataDir });
    const admin = await t.app.inject({ method: 'POST', url: '/realms/master/protocol/openid-connect/token', ...form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }) });
    adminToken = admin.json().access_token;
    const rotation = await t.app.inject({ method: 'PUT', url: '/admin/realms/demo', headers: { authorization: `Bearer ${adminToken}` }, payload: { revokeRefreshToken: true, refreshTokenMaxReuse: 0 } });
    assert.equal(rotation.statusCode, 204, rotation.body);
  });
  after(async () => {
    await t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 while another connection holds the write lock, and serves again once it is released', async () => {
    const before = await password();
    assert.equal(before.statusCode, 200);
    const other = new SQLite(path.join(dataDir, 'holdfast.db'));
    try {
      other.exec('BEGIN IMMEDIATE');
      unavailable(await password());
      unavailable(await refresh(before.json().refresh_token));
      unavailable(await logout(before.json().refresh_token));
      unavailable(await loginPage());
      unavailable(await createUser('busy-user'));
      // Reads do not need the lock (WAL): the store answers, so the node stays ready.
      assert.equal((await t.management.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // Nothing above was acknowledged, so nothing changed: the token was not rotated away.
    const rotated = await refresh(before.json().refresh_token);
    assert.equal(rotated.statusCode, 200, rotated.body);
    assert.equal((await logout(rotated.json().refresh_token)).statusCode, 204);
    assert.equal((await password()).statusCode, 200);
    assert.equal((await loginPage()).statusCode, 200);
    assert.equal((await createUser('busy-user')).statusCode, 201);
  });

  it('answers 503 while the database is full, keeps every acknowledged session, and serves again once there is room', async () => {
    const { db } = t.database;
    const pages = Number((await sql<{ page_count: number }>`PRAGMA page_count`.execute(db)).rows[0].page_count);
    await sql.raw(`PRAGMA max_page_count = ${pages}`).execute(db);
    const acknowledged: string[] = [];
    let refused = 0;
    try {
      // Logins fill what room the last pages have left, then the file would have to grow.
      for (let attempt = 0; attempt < 400 && refused < 3; attempt += 1) {
        const response = await password();
        if (response.statusCode === 200) acknowledged.push(response.json().refresh_token);
        else {
          unavailable(response);
          refused += 1;
        }
      }
      assert.equal(refused, 3, 'logins were refused once the file could not grow');
      // Users live in tables of their own, with their own spare room: fill it too.
      let created = 0;
      for (let response = await createUser('full-user-0'); response.statusCode !== 503 && created < 400; response = await createUser(`full-user-${created}`)) {
        assert.equal(response.statusCode, 201, response.body);
        created += 1;
      }
      unavailable(await createUser('full-user'));
    } finally {
      await sql.raw('PRAGMA max_page_count = 1073741823').execute(db);
    }
    for (const token of acknowledged) {
      const response = await refresh(token);
      assert.equal(response.statusCode, 200, response.body);
    }
    assert.equal((await password()).statusCode, 200);
    assert.equal((await createUser('full-user')).statusCode, 201);
  });
});

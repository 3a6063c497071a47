/**
 * Acceptance (issue 17, backups): `holdfast backup` taken from a second process while a node
 * serves refresh load on the same data directory, `holdfast restore` into a fresh directory, a
 * node started there: the sessions and keys of the backup are intact — a refresh token and an
 * access token issued before the backup work after the restore, with the same signing key, and a
 * session logged out before the backup stays logged out. Also the refusals of both commands.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { sqliteFile } from '../../src/store/sql/index.ts';
import { buildBundle, runHoldfastCommand, startHoldfast, tempDir, writeKekFile, type RunningHoldfast } from '../support/process.ts';
import { inBatches, logoutWithRefreshToken, passwordGrant, refresh } from '../support/oidc-requests.ts';
import { RefreshLoad } from '../support/refresh-load.ts';
import { KEPT_AND_REAL_COUNTS, wrongCounts } from '../support/kept-counts.ts';

describe('holdfast backup and restore (embedded store)', () => {
  const work = tempDir('holdfast-backup-');
  const dataDir = path.join(work, 'data');
  const restored = path.join(work, 'restored');
  const backupFile = path.join(work, 'holdfast.backup');
  // The key-encryption key kept apart from the data directory, as the README advises.
  const kekFile = writeKekFile(work);
  let bundle: string | undefined;
  let server: RunningHoldfast | undefined;

  before(async () => {
    bundle = await buildBundle();
    server = await startHoldfast({ dataDir, bundle, args: ['--kek-file', kekFile] });
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('backs up under refresh load and restores into a fresh directory with every session and key', async () => {
    const running = server!;
    const kept = await inBatches(Array.from({ length: 20 }), 5, async () => {
      const { status, body } = await passwordGrant(running.url);
      assert.equal(status, 200, JSON.stringify(body));
      return body;
    });
    const loggedOut = kept.pop()!;
    assert.equal(await logoutWithRefreshToken(running.url, loggedOut.refresh_token), 204);
    const loadSessions = await inBatches(Array.from({ length: 20 }), 5, async () => (await passwordGrant(running.url)).body.refresh_token as string);
    const load = new RefreshLoad(running.url, loadSessions, { concurrency: 4, maxRequests: 100_000 }).start();

    const backup = await runHoldfastCommand(bundle, ['backup', '--to', backupFile, '--data-dir', dataDir, '--kek-file', kekFile]);
    const during = load.requests;
    // Load goes on after the backup: the node was never paused or locked out of its directory.
    const deadline = Date.now() + 30_000;
    while (load.requests < during + 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const result = await load.stop();
    assert.equal(backup.code, 0, backup.output);
    assert.match(backup.output, /wrote .*: schema \S+, \d+ realms, .* 3\d user sessions/);
    assert.ok(result.refreshed > 0 && result.requests >= during + 20, `load kept running: ${JSON.stringify(result)}`);
    assert.deepEqual(result.lost, []);
    assert.deepEqual(result.unexpected, []);
    assert.ok(!fs.existsSync(`${backupFile}-wal`), 'the backup is one self-contained file');

    const restore = await runHoldfastCommand(bundle, ['restore', '--from', backupFile, '--data-dir', restored, '--kek-file', kekFile]);
    assert.equal(restore.code, 0, restore.output);
    assert.match(restore.output, /restored .* 3\d user sessions/);
    const file = new Database(sqliteFile(restored), { readonly: true });
    try {
      assert.deepEqual(wrongCounts(file.prepare(KEPT_AND_REAL_COUNTS).all() as any[]), [], 'the realm and client session counts are those of the sessions restored');
    } finally {
      file.close();
    }
    const kidBefore = decodeProtectedHeader(kept[0].access_token).kid;
    await running.stop();
    // The same address: start-dev takes the issuer from the request, and the tokens name it.
    server = await startHoldfast({ dataDir: restored, bundle, port: running.port, args: ['--kek-file', kekFile] });
    const node = server;

    const refreshed = await inBatches(kept, 5, (session) => refresh(node.url, session.refresh_token));
    assert.deepEqual(
      refreshed.map((r) => r.status),
      kept.map(() => 200),
      JSON.stringify(refreshed.find((r) => r.status !== 200)?.body),
    );
    assert.equal(decodeProtectedHeader(refreshed[0].body.access_token).kid, kidBefore);
    const gone = await refresh(node.url, loggedOut.refresh_token);
    assert.equal(gone.status, 400);
    assert.equal(gone.body.error, 'invalid_grant');

    const issuer = `${node.url}/realms/demo`;
    const jwks = createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`));
    await jwtVerify(kept[1].access_token, jwks, { issuer });
    const userinfo = await fetch(`${issuer}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${kept[1].access_token}` } });
    assert.equal(userinfo.status, 200, await userinfo.clone().text());
    assert.equal((await userinfo.json()).preferred_username, 'alice');
  });

  it('refuses what a node could not start on, before writing anything', async () => {
    const fresh = path.join(work, 'fresh');
    const noKek = await runHoldfastCommand(bundle, ['restore', '--from', backupFile, '--data-dir', fresh]);
    assert.equal(noKek.code, 1, noKek.output);
    assert.match(noKek.output, /sealed under key-encryption key \S+, which no backup holds: give that key with --kek-file/);
    const wrongKek = await runHoldfastCommand(bundle, ['restore', '--from', backupFile, '--data-dir', fresh, '--kek-file', writeKekFile(work, 'other-kek')]);
    assert.equal(wrongKek.code, 1, wrongKek.output);
    assert.match(wrongKek.output, /give the key with kid/);
    assert.ok(!fs.existsSync(path.join(fresh, 'holdfast.db')));

    // The running node's directory: not empty, and with --force still held by the node.
    const occupied = await runHoldfastCommand(bundle, ['restore', '--from', backupFile, '--data-dir', restored, '--kek-file', kekFile]);
    assert.equal(occupied.code, 1, occupied.output);
    assert.match(occupied.output, /is not empty .*--force/);
    const held = await runHoldfastCommand(bundle, ['restore', '--from', backupFile, '--data-dir', restored, '--kek-file', kekFile, '--force']);
    assert.equal(held.code, 2, held.output);
    assert.match(held.output, /in use by another holdfast process/);

    const damaged = path.join(work, 'damaged.backup');
    const bytes = fs.readFileSync(backupFile);
    bytes.fill(0x5a, 4096, 4096 * 3);
    fs.writeFileSync(damaged, bytes);
    const corrupt = await runHoldfastCommand(bundle, ['restore', '--from', damaged, '--data-dir', fresh, '--kek-file', kekFile]);
    assert.equal(corrupt.code, 1, corrupt.output);
    assert.match(corrupt.output, /damaged|not a holdfast backup/);
    const notSqlite = path.join(work, 'text.backup');
    fs.writeFileSync(notSqlite, 'not a database\n'.repeat(100));
    const text = await runHoldfastCommand(bundle, ['restore', '--from', notSqlite, '--data-dir', fresh, '--kek-file', kekFile]);
    assert.equal(text.code, 1, text.output);
    assert.match(text.output, /not a holdfast backup/);

    const exists = await runHoldfastCommand(bundle, ['backup', '--to', backupFile, '--data-dir', restored]);
    assert.equal(exists.code, 1, exists.output);
    assert.match(exists.output, /exists: give a new file name/);
    const postgres = await runHoldfastCommand(bundle, ['backup', '--to', path.join(work, 'pg.backup'), '--db', 'postgres', '--db-url', 'postgres://127.0.0.1/test', '--kek-file', kekFile]);
    assert.equal(postgres.code, 2, postgres.output);
    assert.match(postgres.output, /pg_dump/);
    const noTo = await runHoldfastCommand(bundle, ['backup', '--data-dir', restored]);
    assert.equal(noTo.code, 2, noTo.output);
    assert.match(noTo.output, /--to <file> is required/);
  });
});

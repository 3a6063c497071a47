/**
 * Acceptance (issue 17, moving between stores): sessions made on an embedded node are copied with
 * `holdfast migrate-store` to PostgreSQL (every table) and to Redis (the sessions); a node started
 * on each target refreshes the refresh tokens issued before the move, accepts the access tokens,
 * keeps a logout done before it, and signs with the same key. A second run refuses the non-empty
 * target, and with --resume is idempotent (counts and checksums still match). The Redis copy is
 * then copied back into PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import pg from 'pg';
import { buildBundle, runHoldfastCommand, startHoldfast, tempDir, writeKekFile, type RunningHoldfast } from '../support/process.ts';
import { inBatches, logoutWithRefreshToken, passwordGrant, refresh } from '../support/oidc-requests.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { deleteRedisKeys } from '../support/redis-keys.ts';
import { KEPT_AND_REAL_COUNTS, wrongCounts } from '../support/kept-counts.ts';

interface Issued {
  access_token: string;
  refresh_token: string;
}

/** The PostgreSQL target's kept session counts that disagree with a real count of its sessions. */
async function wrongCountsOn(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return wrongCounts((await client.query(KEPT_AND_REAL_COUNTS)).rows);
  } finally {
    await client.end();
  }
}

describe('holdfast migrate-store', () => {
  const work = tempDir('holdfast-migrate-');
  const dataDir = path.join(work, 'data');
  const kekFile = writeKekFile(work);
  const redisUrl = 'redis://127.0.0.1:6379';
  const prefix = `hf-migrate-${crypto.randomBytes(4).toString('hex')}:`;
  let bundle: string | undefined;
  let database: FreshDatabase;
  let server: RunningHoldfast | undefined;
  let port: number;
  let kept: Issued[];
  let loggedOut: Issued;

  /** Checks on a node started on a target: what was issued before the move still works. */
  async function checkSessionsSurvived(node: RunningHoldfast): Promise<void> {
    const refreshed = await inBatches(kept, 5, (session) => refresh(node.url, session.refresh_token));
    assert.deepEqual(
      refreshed.map((r) => r.status),
      kept.map(() => 200),
      JSON.stringify(refreshed.find((r) => r.status !== 200)?.body),
    );
    assert.equal(decodeProtectedHeader(refreshed[0].body.access_token).kid, decodeProtectedHeader(kept[0].access_token).kid);
    const gone = await refresh(node.url, loggedOut.refresh_token);
    assert.equal(gone.status, 400);
    assert.equal(gone.body.error, 'invalid_grant');
    const userinfo = await fetch(`${node.url}/realms/demo/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${kept[1].access_token}` } });
    assert.equal(userinfo.status, 200, await userinfo.clone().text());
  }

  before(async () => {
    [bundle, database] = await Promise.all([buildBundle(), freshDatabase('holdfast_migrate')]);
    server = await startHoldfast({ dataDir, bundle, args: ['--kek-file', kekFile] });
    port = server.port;
    const running = server;
    kept = await inBatches(Array.from({ length: 12 }), 4, async () => {
      const { status, body } = await passwordGrant(running.url);
      assert.equal(status, 200, JSON.stringify(body));
      return body as Issued;
    });
    loggedOut = kept.pop()!;
    assert.equal(await logoutWithRefreshToken(running.url, loggedOut.refresh_token), 204);
    // The write pause of the cut-over: the source's node stops before the copy.
    await running.stop();
    server = undefined;
  });
  after(async () => {
    await server?.stop();
    await database?.drop();
    await deleteRedisKeys(redisUrl, prefix);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('SQLite → PostgreSQL: a node on PostgreSQL refreshes the tokens issued on SQLite', async () => {
    const copy = await runHoldfastCommand(bundle, ['migrate-store', '--from', `sqlite:${dataDir}`, '--to', database.url, '--batch-size', '7']);
    assert.equal(copy.code, 0, copy.output);
    assert.match(copy.output, /ok +user_session: 1[12] rows → 1[12] checksum [0-9a-f]{16}/);
    assert.match(copy.output, /ok +realm_key: /);
    assert.match(copy.output, /the target matches the source/);
    assert.match(copy.output, /not copied:\n {2}kysely_migration: /);
    assert.doesNotMatch(copy.output, /MISMATCH/);

    const again = await runHoldfastCommand(bundle, ['migrate-store', '--from', `sqlite:${dataDir}`, '--to', database.url]);
    assert.equal(again.code, 1, again.output);
    assert.match(again.output, /the target is not empty .* --resume/);
    const resumed = await runHoldfastCommand(bundle, ['migrate-store', '--from', `sqlite:${dataDir}`, '--to', database.url, '--resume']);
    assert.equal(resumed.code, 0, resumed.output);
    assert.doesNotMatch(resumed.output, /MISMATCH/);
    assert.match(resumed.output, /ok +client_session_count: /);
    assert.deepEqual(await wrongCountsOn(database.url), [], 'the realm and client session counts came with the sessions');

    server = await startHoldfast({ dataDir: path.join(work, 'unused'), bundle, port, args: ['--db', 'postgres', '--db-url', database.url, '--kek-file', kekFile] });
    try {
      await checkSessionsSurvived(server);
      // A node writing to the source would lose its writes: refused while one has a heartbeat.
      const running = await runHoldfastCommand(bundle, ['migrate-store', '--from', database.url, '--to', `sqlite:${path.join(work, 'back')}`]);
      assert.equal(running.code, 1, running.output);
      assert.match(running.output, /1 node\(s\) are running on .*: stop them first/);
    } finally {
      await server.stop();
      server = undefined;
    }
  });

  it('SQL → Redis: a node with --sessions redis refreshes the tokens issued on SQL', async () => {
    const target = `${redisUrl}?prefix=${encodeURIComponent(prefix)}`;
    const copy = await runHoldfastCommand(bundle, ['migrate-store', '--from', `sqlite:${dataDir}`, '--to', target, '--batch-size', '5']);
    assert.equal(copy.code, 0, copy.output);
    assert.match(copy.output, /ok +sessions: 1[12] rows → 1[12] checksum/);
    assert.match(copy.output, /brute-force counters/);
    const again = await runHoldfastCommand(bundle, ['migrate-store', '--from', `sqlite:${dataDir}`, '--to', target]);
    assert.equal(again.code, 1, again.output);
    assert.match(again.output, /the target has keys under/);
    const resumed = await runHoldfastCommand(bundle, ['migrate-store', '--from', `sqlite:${dataDir}`, '--to', target, '--resume']);
    assert.equal(resumed.code, 0, resumed.output);

    server = await startHoldfast({ dataDir, bundle, port, args: ['--kek-file', kekFile, '--sessions', 'redis', '--sessions-url', redisUrl, '--sessions-key-prefix', prefix] });
    try {
      await checkSessionsSurvived(server);
    } finally {
      await server.stop();
      server = undefined;
    }
  });

  it('Redis → SQL: the sessions come back into the realm database, verified', async () => {
    // The PostgreSQL copy of the first test holds the realms (and sessions, so: --resume).
    const source = `${redisUrl}?prefix=${encodeURIComponent(prefix)}`;
    const refused = await runHoldfastCommand(bundle, ['migrate-store', '--from', source, '--to', database.url]);
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.output, /the target already has sessions/);
    const copy = await runHoldfastCommand(bundle, ['migrate-store', '--from', source, '--to', database.url, '--resume']);
    assert.equal(copy.code, 0, copy.output);
    assert.match(copy.output, /ok +sessions: 1[12] rows → 1[12] checksum/);
    assert.match(copy.output, /Redis cannot list them/);
    assert.deepEqual(await wrongCountsOn(database.url), [], 'sessions replaced by the copy are counted once');
  });

  it('refuses what it cannot do with a usage error', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--from', `sqlite:${dataDir}`], /--from <store> and --to <store> are required/],
      [['--from', `sqlite:${dataDir}`, '--to', `sqlite:${dataDir}`], /the same store/],
      [['--from', 'mysql://x/y', '--to', database.url], /expected sqlite:<data-dir>, postgres:\/\/… or redis:\/\/…, got a mysql: URL/],
      [['--from', redisUrl, '--to', `${redisUrl}/2`], /Redis to Redis/],
      [['--from', `sqlite:${dataDir}`, '--to', database.url, '--batch-size', '0'], /--batch-size: expected 1 to 10000/],
    ];
    for (const [args, message] of cases) {
      const result = await runHoldfastCommand(bundle, ['migrate-store', ...args]);
      assert.equal(result.code, 2, result.output);
      assert.match(result.output, message);
    }
  });
});

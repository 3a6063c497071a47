/**
 * Rolling back (issue #17.1, docs/operations.md "Upgrades"): this release N is upgraded to a made-up
 * next release N+1 (next-release.ts) whose migration expands the schema (a new column, backfilled
 * in batches outside a transaction), then rolled back to N, which keeps running on the expanded
 * schema. A release N+2 that contracts the schema is then refused by N: exit 2, one line naming
 * the migration. Every session refreshes at every step, wherever it was created, and every logout
 * holds. On SQLite (one data directory, one node at a time) and on PostgreSQL (N keeps serving
 * while N+1 migrates beside it, and a freshly started N runs on the expanded schema).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import Database from 'better-sqlite3';
import { sqliteFile } from '../../src/store/sql/index.ts';
import { inBatches, logoutWithRefreshToken, passwordGrant, refresh } from '../support/oidc-requests.ts';
import { makeNextRelease, type NextRelease } from '../support/next-release.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { ROOT, freePort, runHoldfastCommand, startHoldfast, tempDir, writeKekFile, type RunningHoldfast } from '../support/process.ts';
import { HOLDFAST_VERSION } from '../../src/cli/index.ts';
import { migrations as currentMigrations } from '../../src/store/sql/migrations/index.ts';

const EXPAND = '900-next-release-expand';
const CONTRACT = '901-next-release-contract';
const LEVEL = Object.keys(currentMigrations).sort().at(-1)!;
const SESSIONS_PER_STEP = 12;
const LOGOUTS_PER_STEP = 3;

const EXPAND_SOURCE = `
import { sql, type Kysely } from 'kysely';
import { updateInBatches, type MigrationLog } from '../batched-migration.ts';

export const transaction = false;

export async function up(db: Kysely<any>, log?: MigrationLog): Promise<void> {
  await db.schema.alterTable('user_session').addColumn('next_release_mark', 'bigint').execute();
  await updateInBatches(db, { label: '${EXPAND}', table: 'user_session', key: 'id', set: sql\`next_release_mark = started\`, where: sql<boolean>\`next_release_mark IS NULL\`, batchSize: 10, log });
}
`;
const CONTRACT_SOURCE = `
import type { Kysely } from 'kysely';

export const contracting = true;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('user_session').dropColumn('next_release_mark').execute();
}
`;

interface Session {
  refreshToken: string;
  loggedOut: boolean;
  createdOn: string;
}

/** Each live session refreshes (its newest refresh token kept), each logged-out one is refused. */
async function everySessionHolds(url: string, sessions: Session[], step: string): Promise<number> {
  const answers = await inBatches(sessions, 4, (session) => refresh(url, session.refreshToken));
  answers.forEach((answer, i) => {
    const session = sessions[i];
    if (session.loggedOut) {
      assert.equal(answer.status, 400, `${step}: a session logged out on ${session.createdOn} refreshed`);
      assert.equal(answer.body.error, 'invalid_grant');
      return;
    }
    assert.equal(answer.status, 200, `${step}: a session of ${session.createdOn} did not refresh: ${JSON.stringify(answer.body)}`);
    session.refreshToken = answer.body.refresh_token;
  });
  return answers.filter((a) => a.status === 200).length;
}

/** Logs users in on `url` and logs some of them out again, as users of that release do. */
async function loginsAndLogouts(url: string, createdOn: string): Promise<Session[]> {
  const sessions = await inBatches(Array.from({ length: SESSIONS_PER_STEP }), 4, async () => {
    const grant = await passwordGrant(url);
    assert.equal(grant.status, 200, JSON.stringify(grant.body));
    return { refreshToken: grant.body.refresh_token as string, loggedOut: false, createdOn };
  });
  for (const session of sessions.slice(0, LOGOUTS_PER_STEP)) {
    assert.equal(await logoutWithRefreshToken(url, session.refreshToken), 204);
    session.loggedOut = true;
  }
  return sessions;
}

interface Store {
  name: string;
  /** The data directory of the next node started. */
  dataDir(): string;
  /** Flags every node of the test gets, besides its data directory. */
  args: string[];
  /** Several nodes may serve at once (PostgreSQL). */
  shared: boolean;
  /** The flags of `holdfast show-schema` for this store. */
  showSchemaArgs: string[];
  migrations(): Promise<string[]>;
}

function rollbackChecks(store: () => Store) {
  let next: NextRelease;
  let contracting: NextRelease;
  const running: RunningHoldfast[] = [];
  before(() => {
    next = makeNextRelease('0.2.0-next', [{ name: EXPAND, source: EXPAND_SOURCE }]);
    contracting = makeNextRelease('0.3.0-next', [
      { name: EXPAND, source: EXPAND_SOURCE },
      { name: CONTRACT, source: CONTRACT_SOURCE },
    ]);
  });
  after(async () => {
    for (const node of running) await node.stop('SIGKILL');
    next?.remove();
    contracting?.remove();
  });

  async function start(root: string, port: number, extra: string[] = []): Promise<RunningHoldfast> {
    const node = await startHoldfast({ dataDir: store().dataDir(), port, root, args: [...store().args, ...extra] });
    running.push(node);
    return node;
  }
  async function showSchema(): Promise<string> {
    const { code, output } = await runHoldfastCommand(undefined, ['show-schema', ...store().showSchemaArgs]);
    assert.equal(code, 0, output);
    return output;
  }
  async function stop(node: RunningHoldfast): Promise<void> {
    assert.equal(await node.stop(), 0, node.output());
    running.splice(running.indexOf(node), 1);
  }

  it('upgrades to an expanding release, rolls back with every session, and refuses a contracting one', async () => {
    const { args, shared } = store();
    const port = await freePort();
    // Issuer fixed, so a token of one node is refreshed on any other.
    const hostname = ['--hostname', `http://127.0.0.1:${port}`];
    const sessions: Session[] = [];

    // N serves and logs users in.
    const current = await start(ROOT, port, hostname);
    sessions.push(...(await loginsAndLogouts(current.url, 'N')));

    // N+1 migrates the schema (expand, in batches); on PostgreSQL while N keeps serving beside it.
    if (!shared) await stop(current);
    const upgraded = await start(next.root, shared ? await freePort() : port, [...hostname, '--log-level', 'info']);
    assert.deepEqual((await store().migrations()).slice(-1), [EXPAND]);
    assert.match(upgraded.output(), new RegExp(`${EXPAND}: done, \\d+ rows in`), 'the batched backfill logged its progress');
    await everySessionHolds(upgraded.url, sessions, 'on N+1');
    if (shared) await everySessionHolds(current.url, sessions, 'on N beside N+1');
    // What an operator sees mid-roll: which node runs which release and schema.
    const midRoll = await showSchema();
    assert.match(midRoll, new RegExp(`runs beside the newer release's migrations ${EXPAND}, which only expand the schema`), midRoll);
    if (shared) {
      assert.match(midRoll, new RegExp(`127\\.0\\.0\\.1:${upgraded.port}\\s+0\\.2\\.0-next\\s+${EXPAND}`), midRoll);
      assert.match(midRoll, new RegExp(`127\\.0\\.0\\.1:${current.port}\\s+${HOLDFAST_VERSION.replace(/\./g, '\\.')}\\s+${LEVEL}`), midRoll);
    } else {
      assert.match(midRoll, new RegExp(`held by the node with pid ${upgraded.process.pid}`), midRoll);
      assert.match(midRoll, new RegExp(`/${upgraded.process.pid}\\s+0\\.2\\.0-next\\s+${EXPAND}`), midRoll);
    }
    sessions.push(...(await loginsAndLogouts(upgraded.url, 'N+1')));

    // Rolled back: N+1 stops, N starts on the expanded schema (on PostgreSQL, a second N node).
    await stop(upgraded);
    const rolledBack = shared ? await start(ROOT, await freePort(), hostname) : await start(ROOT, port, hostname);
    const refreshedAfterRollback = await everySessionHolds(rolledBack.url, sessions, 'on N after the rollback');
    if (shared) {
      await everySessionHolds(current.url, sessions, 'on the N that never stopped');
      await stop(current);
    }
    sessions.push(...(await loginsAndLogouts(rolledBack.url, 'N after the rollback')));
    assert.deepEqual((await store().migrations()).slice(-1), [EXPAND], 'N ran beside the migration it does not know, and left it');
    await stop(rolledBack);

    // N+2 contracts the schema: sessions still hold on it, and N refuses to start on it.
    const contracted = await start(contracting.root, port, hostname);
    assert.deepEqual((await store().migrations()).slice(-2), [EXPAND, CONTRACT]);
    await everySessionHolds(contracted.url, sessions, 'on N+2');
    await stop(contracted);
    assert.match(await showSchema(), new RegExp(`contracting migrations: ${CONTRACT} \\(applied [^)]+\\)\\n.*refuses to start: the database schema has contracting migration ${CONTRACT}`));
    const refused = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), 'start-dev', '--http-host', '127.0.0.1', '--http-port', '0', '--http-management-port', '0', '--data-dir', store().dataDir(), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(refused.status, 2, refused.stderr);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, new RegExp(`^holdfast: the database schema has contracting migration ${CONTRACT}, which this release \\(schema [^)]+\\) cannot run with: start a release that knows it, or restore a backup taken before it\\n$`));

    // The refusal changed nothing: N+2 serves every session again.
    const again = await start(contracting.root, port, hostname);
    const live = await everySessionHolds(again.url, sessions, 'on N+2 after N was refused');
    await stop(again);
    console.log(
      `rollback on ${store().name}: ${sessions.length} sessions made on N, N+1 and N after the rollback (${sessions.filter((s) => s.loggedOut).length} logged out, refused at every step); ` +
        `${refreshedAfterRollback} refreshed on N after the rollback, ${live} on N+2 at the end; N refused the contracting schema with exit 2`,
    );
  });
}

const dataDir = tempDir('holdfast-rollback-');
const pgDataDir = tempDir('holdfast-rollback-pg-');
let postgres: FreshDatabase | undefined;
after(async () => {
  await postgres?.drop();
  for (const dir of [dataDir, pgDataDir]) fs.rmSync(dir, { recursive: true, force: true });
});

describe('rollback on SQLite', () => {
  rollbackChecks(() => ({
    name: 'SQLite',
    dataDir: () => dataDir,
    args: [],
    showSchemaArgs: ['--data-dir', dataDir],
    shared: false,
    async migrations() {
      const db = new Database(sqliteFile(dataDir), { readonly: true });
      try {
        return (db.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
      } finally {
        db.close();
      }
    },
  }));
});

describe('rollback on PostgreSQL', () => {
  let kek = '';
  before(async () => {
    postgres = await freshDatabase('holdfast_rollback');
    kek = writeKekFile(pgDataDir);
  });
  rollbackChecks(() => ({
    name: 'PostgreSQL',
    // Each node has a directory of its own, as on separate machines.
    dataDir: () => fs.mkdtempSync(path.join(pgDataDir, 'node-')),
    args: ['--db', 'postgres', '--db-url', postgres!.url, '--kek-file', kek],
    showSchemaArgs: ['--db', 'postgres', '--db-url', postgres!.url],
    shared: true,
    async migrations() {
      const client = new pg.Client({ connectionString: postgres!.url });
      await client.connect();
      try {
        return (await client.query<{ name: string }>('SELECT name FROM kysely_migration ORDER BY name')).rows.map((r) => r.name);
      } finally {
        await client.end();
      }
    },
  }));
});

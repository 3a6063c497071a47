/**
 * Host selection for a multi-host `--db-url` against two real servers of the test's own, a
 * primary and its streaming standby: connections land on the writable one whatever the order of
 * the hosts, never on the standby; while no host takes writes a connection fails at once with
 * NoWritablePrimary; once the standby is promoted the same pool and locator find it by
 * themselves. And the URL forms holdfast refuses, with the reason.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePostgresUrl, ConfigError } from '../../src/config/index.ts';
import { NoWritablePrimary, PrimaryLocator, ReadOnlyServer } from '../../src/store/sql/index.ts';
import { loadPg } from '../../src/store/sql/pg-driver.ts';
import { PrivatePostgres, postgresBinaries } from '../support/private-postgres.ts';

describe('--db-url with several hosts', () => {
  it('splits into one URL per host, in order, keeping user, database and parameters', () => {
    const target = parsePostgresUrl('postgres://holdfast:s%40cret@db-b:5433,db-a/holdfast?sslmode=disable&target_session_attrs=read-write');
    assert.deepEqual(target, {
      targetSessionAttrs: 'read-write',
      servers: [
        { name: 'db-b:5433', url: 'postgres://holdfast:s%40cret@db-b:5433/holdfast?sslmode=disable' },
        { name: 'db-a', url: 'postgres://holdfast:s%40cret@db-a/holdfast?sslmode=disable' },
      ],
    });
    assert.equal(parsePostgresUrl('postgresql://[::1]:5432/x').servers[0].name, '[::1]:5432');
    assert.equal(parsePostgresUrl('postgres://h/x?target_session_attrs=primary').targetSessionAttrs, 'primary');
  });

  it('refuses a target that would let a node write to a standby, and malformed hosts', () => {
    for (const attrs of ['any', 'read-only', 'standby', 'prefer-standby']) {
      assert.throws(() => parsePostgresUrl(`postgres://h1,h2/x?target_session_attrs=${attrs}`), (error: Error) => error instanceof ConfigError && /read-write \(the default\) or primary/.test(error.message));
    }
    assert.throws(() => parsePostgresUrl('postgres://h1,,h2/x'), /'' is not a host\[:port\]/);
    assert.throws(() => parsePostgresUrl('postgres://h1:99999/x'), /out of range/);
    assert.throws(() => parsePostgresUrl('postgres://h1:5432:1/x'), /not a host/);
    assert.throws(() => parsePostgresUrl(`postgres://${Array.from({ length: 17 }, (_, i) => `h${i}`).join(',')}/x`), /at most 16 hosts/);
  });
});

describe('finding the primary', { skip: postgresBinaries() ? false : 'no PostgreSQL server binaries' }, () => {
  let primary: PrivatePostgres;
  let standby: PrivatePostgres;
  let standbyFirst: string;

  before(async () => {
    primary = await PrivatePostgres.create();
    await primary.createDatabase('holdfast_hosts');
    standby = await primary.createStandby('site_b');
    standbyFirst = `postgres://postgres@127.0.0.1:${standby.port},127.0.0.1:${primary.port}/holdfast_hosts`;
  });
  after(async () => {
    await standby?.dispose();
    await primary?.dispose();
  });

  const serverOf = async (client: { query(text: string): Promise<{ rows: Array<{ port: number; recovery: boolean }> }> }) =>
    (await client.query("SELECT current_setting('port')::int AS port, pg_is_in_recovery() AS recovery")).rows[0];

  it('connects to the writable server though the standby is listed first; refuses a lone standby', async () => {
    const pg = await loadPg();
    const locator = new PrimaryLocator(pg, parsePostgresUrl(standbyFirst));
    const client = await locator.connect({ connectionTimeoutMillis: 2_000 });
    try {
      assert.deepEqual(await serverOf(client), { port: primary.port, recovery: false });
    } finally {
      await client.end();
    }
    assert.equal(locator.primaryName, `127.0.0.1:${primary.port}`);

    const alone = new PrimaryLocator(pg, parsePostgresUrl(`postgres://postgres@127.0.0.1:${standby.port}/holdfast_hosts`));
    await assert.rejects(alone.connect({ connectionTimeoutMillis: 2_000 }), ReadOnlyServer);
  });

  it('fails fast while no host takes writes, then follows the promoted standby without a restart', async () => {
    const pg = await loadPg();
    const locator = new PrimaryLocator(pg, parsePostgresUrl(`postgres://postgres@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/holdfast_hosts`));
    const pool = locator.pool({ max: 2, connectionTimeoutMillis: 5_000 });
    pool.on('error', () => {});
    try {
      assert.equal((await serverOf(pool)).port, primary.port);
      await pool.query('CREATE TABLE written (n int)');
      await primary.kill();

      // What the pool held on the dead primary fails first; then every write fails at once,
      // naming why no host would do. Nothing is ever written to the standby.
      const errors: Error[] = [];
      for (let attempt = 0; attempt < 5 && !(errors.at(-1) instanceof NoWritablePrimary); attempt += 1) {
        const started = Date.now();
        await assert.rejects(pool.query('INSERT INTO written VALUES (1)'), (error: Error) => errors.push(error) > 0);
        assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
      }
      assert.ok(errors.at(-1) instanceof NoWritablePrimary, errors.join('\n'));
      assert.match(errors.at(-1)!.message, /read-only standby/);

      await standby.promote();
      let attempts = 0;
      for (; attempts < 50; attempts += 1) {
        try {
          await pool.query('INSERT INTO written VALUES (3)');
          break;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      assert.ok(attempts < 50, 'the pool never reached the promoted standby');
      assert.deepEqual(await serverOf(pool), { port: standby.port, recovery: false });
      assert.equal(locator.primaryName, `127.0.0.1:${standby.port}`);
    } finally {
      await pool.end();
    }
  });
});

/**
 * Hot-path statements compiled once (src/store/sql/compiled-once.ts): each call binds its own
 * values in the places the markers went, a value used twice is bound twice, constants stay, and
 * on PostgreSQL the statement is a named prepared statement of the connection, used again on the
 * next call instead of parsed anew. Rotation's semantics on top of it are the contract suite's.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { CompiledOnce } from '../../src/store/sql/compiled-once.ts';
import { openSqlDatabase, type SqlDatabase } from '../../src/store/sql/index.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';

/** `a`, `b` and `a` again, beside a constant: the markers' order is not the names' order. */
function echo(database: SqlDatabase): CompiledOnce<'a' | 'b', { first: string; second: number; again: string; constant: number }> {
  return new CompiledOnce((param) =>
    database.db
      .selectNoFrom([
        sql<string>`${param<string>('a')}`.as('first'),
        sql<number>`${param<number>('b')} + 0`.as('second'),
        sql<string>`${param<string>('a')}`.as('again'),
        sql<number>`${7} + 0`.as('constant'),
      ]),
  );
}

describe('statements compiled once', () => {
  const opened: SqlDatabase[] = [];
  const databases: FreshDatabase[] = [];
  after(async () => {
    for (const database of opened) await database.close().catch(() => undefined);
    for (const database of databases) await database.drop().catch(() => undefined);
  });

  it('binds each call its own values on SQLite, a value used twice in both places', async () => {
    const database = await openSqlDatabase({ dialect: 'sqlite', dataDir: ':memory:' });
    opened.push(database);
    const statement = echo(database);
    for (const [a, b] of [['x', 1], ['y', 2], ["it's; --", -3]] as const) {
      const { rows } = await statement.run(database.db, { a, b });
      assert.deepEqual(rows, [{ first: a, second: b, again: a, constant: 7 }]);
    }
  });

  it('is a named prepared statement on PostgreSQL, prepared once per connection', async () => {
    const fresh = await freshDatabase('holdfast_compiled_once');
    databases.push(fresh);
    // One connection, so every call (and the check) runs on the same server session.
    const database = await openSqlDatabase({ dialect: 'postgres', url: fresh.url, poolSize: 1 });
    opened.push(database);
    const statement = echo(database);
    for (const [a, b] of [['x', 1], ['y', 2]] as const) {
      const { rows } = await statement.run(database.db, { a, b });
      assert.deepEqual(rows, [{ first: a, second: b, again: a, constant: 7 }]);
    }
    const prepared = await sql<{ name: string; generic_plans: number; custom_plans: number }>`SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%+ 0%'`.execute(database.db);
    assert.equal(prepared.rows.length, 1, 'one prepared statement for both calls');
    assert.match(prepared.rows[0].name, /^holdfast_\d+$/);
    assert.equal(Number(prepared.rows[0].generic_plans) + Number(prepared.rows[0].custom_plans), 2, 'executed twice');
  });
});

/**
 * A statement Kysely builds and compiles once per database, then runs with new values each time:
 * for the hot path's statements, whose shape never changes. Building and compiling rotation's
 * compare-and-set cost more CPU than the database's own work on it (~35 µs of ~95 µs per
 * rotation on PostgreSQL, `bench:rotation-store`'s method). On PostgreSQL the text is also a named
 * prepared statement (prepared-statements.ts): parsed and planned once per connection, not once
 * per call.
 *
 * The statement is built with a marker in place of every value; compiling it shows where each
 * marker went, which is the order the values are bound in at each call.
 */
import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';
import { prepareOnPostgres } from './prepared-statements.ts';

const MARKER = '\u0000holdfast-param:';

/** The value standing for parameter `name` while the statement is built (its type is the caller's). */
export type Param<P extends string> = <T>(name: P) => T;

export class CompiledOnce<P extends string, R> {
  private compiled: { sql: string; order: Array<{ name: P } | { constant: unknown }> } | undefined;

  constructor(private readonly build: (param: Param<P>) => Compilable<R>) {}

  run<DB>(db: Kysely<DB>, values: Readonly<Record<P, unknown>>): Promise<QueryResult<R>> {
    const { sql, order } = (this.compiled ??= this.compile());
    return db.executeQuery<R>(CompiledQuery.raw(sql, order.map((slot) => ('name' in slot ? values[slot.name] : slot.constant))));
  }

  private compile(): { sql: string; order: Array<{ name: P } | { constant: unknown }> } {
    const param = <T>(name: P): T => `${MARKER}${name}` as T;
    const { sql, parameters } = this.build(param).compile();
    const order = parameters.map((value) =>
      typeof value === 'string' && value.startsWith(MARKER) ? { name: value.slice(MARKER.length) as P } : { constant: value },
    );
    prepareOnPostgres(sql);
    return { sql, order };
  }
}

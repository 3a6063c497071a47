/**
 * The PostgreSQL driver, loaded on first use: an embedded (SQLite) node never pays its start-up
 * time and memory. Configured once when it loads.
 */
import type pgModule from 'pg';

export type Pg = typeof pgModule;

let loading: Promise<Pg> | undefined;

export function loadPg(): Promise<Pg> {
  loading ??= import('pg').then(({ default: pg }) => {
    // PostgreSQL returns int8 as strings; every bigint we store (ms timestamps) fits a double.
    pg.types.setTypeParser(20, (value) => Number(value));
    return pg;
  });
  return loading;
}

/**
 * Copies tables from one SQL database to another (SQLite ↔ PostgreSQL), in key-ordered batches:
 * each batch is one multi-row upsert on the target, so a copy that stopped half-way is finished by
 * running it again (rows already there are overwritten with the source's, none doubled), and the
 * foreign keys hold after every batch because parents are copied first (sql-tables.ts). The rows
 * read are checksummed on the way; the target is read back afterwards for the comparison.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../sql/schema.ts';
import { COPIED_TABLES, NOT_COPIED_TABLES, type CopiedTable } from './sql-tables.ts';
import { RowChecksum } from './row-checksum.ts';

/** A copy that cannot be made as asked; the message says why. */
export class MigrateError extends Error {}

export interface TableReport {
  table: string;
  source: { rows: number; checksum: string };
  target: { rows: number; checksum: string };
}

export interface CopyProgress {
  /** Called when a table starts, with its number of rows in the source. */
  start(table: string, rows: number): void;
  /** Rows of the current table copied so far. */
  update(done: number, total: number): void;
  finish(table: string, rows: number): void;
}

export interface CopyOptions {
  /** Rows per batch (fewer for a wide table: both drivers bound the parameters of one statement). */
  batchSize: number;
  /** The target may hold rows already (a copy resumed); otherwise it must be empty. */
  resume: boolean;
  progress: CopyProgress;
  /** Only these tables (default: every copied table). */
  tables?: CopiedTable[];
}

type AnyDb = Kysely<any>;

/** The largest number of bound values one statement gets: SQLite allows 32766, PostgreSQL 65535. */
const MAX_PARAMETERS = 30_000;

/** The columns of every table, as the database itself describes them. */
async function tableColumns(db: Kysely<Database>): Promise<Map<string, string[]>> {
  const tables = await db.introspection.getTables();
  return new Map(tables.map((t) => [t.name, t.columns.map((c) => c.name).sort()]));
}

/** Refuses schemas that differ, or a table that nobody said how to copy. */
async function checkSchemas(source: Kysely<Database>, target: Kysely<Database>, tables: CopiedTable[]): Promise<Map<string, string[]>> {
  const [from, to] = await Promise.all([tableColumns(source), tableColumns(target)]);
  const known = new Set([...COPIED_TABLES.map((t) => t.name), ...Object.keys(NOT_COPIED_TABLES)]);
  const unknown = [...from.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) throw new MigrateError(`the source has tables migrate-store does not know how to copy: ${unknown.join(', ')}`);
  for (const { name } of tables) {
    const a = from.get(name)?.join(',');
    const b = to.get(name)?.join(',');
    if (a === undefined || b === undefined || a !== b) throw new MigrateError(`table ${name} differs between source (${a ?? 'missing'}) and target (${b ?? 'missing'}): run both on the same release`);
  }
  return from;
}

/** True when the target holds no realm data or sessions (a database this release just created). */
export async function sqlTargetIsEmpty(target: Kysely<Database>, tables: CopiedTable[]): Promise<string | undefined> {
  for (const { name } of tables) {
    const row = await (target as AnyDb).selectFrom(name).select(sql<number>`1`.as('one')).limit(1).executeTakeFirst();
    if (row) return name;
  }
  return undefined;
}

async function countRows(db: AnyDb, table: string): Promise<number> {
  const row = await db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Reads a table in key order, `batch` rows at a time. */
async function* pages(db: AnyDb, table: CopiedTable, columns: string[], batch: number): AsyncGenerator<Record<string, unknown>[]> {
  let after: unknown[] | undefined;
  // Bounded: each page moves the key forward, and no table has more rows than this.
  for (let page = 0; page < 1e9; page++) {
    let query = db.selectFrom(table.name).select(columns);
    for (const column of table.key) query = query.orderBy(column);
    if (after) {
      const bound = after;
      query = query.where(sql<boolean>`(${sql.join(table.key.map((k) => sql.ref(k)))}) > (${sql.join(bound)})`);
    }
    const rows = (await query.limit(batch).execute()) as Record<string, unknown>[];
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batch) return;
    const last = rows[rows.length - 1];
    after = table.key.map((k) => last[k]);
  }
}

async function checksumOf(db: AnyDb, table: CopiedTable, columns: string[], batch: number): Promise<RowChecksum> {
  const checksum = new RowChecksum();
  for await (const rows of pages(db, table, columns, batch)) for (const row of rows) checksum.add(row, columns);
  return checksum;
}

export async function copySqlTables(source: Kysely<Database>, target: Kysely<Database>, options: CopyOptions): Promise<TableReport[]> {
  const tables = options.tables ?? COPIED_TABLES;
  const columnsOf = await checkSchemas(source, target, tables);
  if (!options.resume) {
    const occupied = await sqlTargetIsEmpty(target, tables);
    if (occupied) throw new MigrateError(`the target is not empty (table ${occupied} has rows): give an empty database, or --resume to finish a copy that stopped`);
  }
  const from = source as AnyDb;
  const to = target as AnyDb;
  const reports: TableReport[] = [];
  for (const table of tables) {
    const columns = columnsOf.get(table.name)!;
    const nonKey = columns.filter((c) => !table.key.includes(c));
    const batch = Math.max(1, Math.min(options.batchSize, Math.floor(MAX_PARAMETERS / columns.length)));
    const total = await countRows(from, table.name);
    options.progress.start(table.name, total);
    if (table.rewrite && options.resume) await to.deleteFrom(table.name).execute();
    const read = new RowChecksum();
    for await (const rows of pages(from, table, columns, batch)) {
      for (const row of rows) read.add(row, columns);
      let insert = to.insertInto(table.name).values(rows);
      if (!table.rewrite) {
        insert = insert.onConflict((oc: any) =>
          nonKey.length === 0 ? oc.columns(table.key).doNothing() : oc.columns(table.key).doUpdateSet(Object.fromEntries(nonKey.map((c) => [c, sql.ref(`excluded.${c}`)]))),
        );
      }
      await insert.execute();
      options.progress.update(read.rows, Math.max(total, read.rows));
    }
    options.progress.finish(table.name, read.rows);
    const written = await checksumOf(to, table, columns, batch);
    reports.push({ table: table.name, source: { rows: read.rows, checksum: read.value }, target: { rows: written.rows, checksum: written.value } });
  }
  return reports;
}

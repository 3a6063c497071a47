/**
 * Whether this code can run on the schema it finds (issue #17.1, DESIGN rule 8). Schema changes
 * follow expand/contract: a migration that only adds (tables, nullable columns, indexes) leaves
 * older nodes running beside the newer schema, so a node that finds migrations it does not know
 * starts anyway, provided it knows every migration listed in `schema_contract`. A contracting
 * migration (one that removes or changes what older code uses) is listed there once applied, and
 * from then on a node that does not know it refuses to start (SchemaTooNew: one line, exit 2)
 * rather than serve requests against tables it misreads.
 */
import os from 'node:os';
import { sql, type Kysely, type Migration } from 'kysely';
import type { Database } from './schema.ts';

/** The database carries a contracting migration this code does not know. */
export class SchemaTooNew extends Error {
  constructor(readonly unknownContracting: string[], readonly schemaLevel: string) {
    super(
      `the database schema has contracting migration ${unknownContracting.join(', ')}, which this release (schema ${schemaLevel}) cannot run with: start a release that knows it, or restore a backup taken before it`,
    );
    this.name = 'SchemaTooNew';
  }
}

/** The database misses migrations this code needs while a newer release has already run: it cannot be brought up to date safely. */
export class SchemaGap extends Error {
  constructor(readonly missing: string[], readonly unknown: string[]) {
    super(`the database schema has migrations this release does not know (${unknown.join(', ')}) but lacks ${missing.join(', ')}, which it needs: start the newest release first`);
    this.name = 'SchemaGap';
  }
}

/** A migration that older releases cannot run beside marks itself `contracting`. */
export function isContracting(migration: Migration): boolean {
  return (migration as { contracting?: boolean }).contracting === true;
}

/** The newest migration of a set: names sort lexically (migrations/index.ts). */
export function schemaLevel(known: Record<string, Migration>): string {
  return Object.keys(known).sort().at(-1) ?? '';
}

export async function appliedMigrations(db: Kysely<Database>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === 'kysely_migration')) return [];
  const rows = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db);
  return rows.rows.map((r) => r.name);
}

/**
 * What opening this database needs: 'migrate' when every applied migration is known (the usual
 * case, the migrator brings it up to date), 'run-beside' when a newer release added only
 * expand migrations. Throws SchemaTooNew or SchemaGap when this code cannot run on it.
 */
export async function checkSchemaCompatibility(db: Kysely<Database>, known: Record<string, Migration>): Promise<'migrate' | 'run-beside'> {
  const applied = await appliedMigrations(db);
  const unknown = applied.filter((name) => !(name in known)).sort();
  if (unknown.length === 0) return 'migrate';
  // A newer release migrated this database, so 030-schema-compatibility is applied.
  const contracts = await db.selectFrom('schema_contract').select('migration').execute();
  const unknownContracting = contracts.map((c) => c.migration).filter((name) => !(name in known)).sort();
  if (unknownContracting.length > 0) throw new SchemaTooNew(unknownContracting, schemaLevel(known));
  const missing = Object.keys(known).filter((name) => !applied.includes(name));
  if (missing.length > 0) throw new SchemaGap(missing, unknown);
  return 'run-beside';
}

/** Lists the applied contracting migrations this code knows, so that releases without them refuse to start. */
export async function recordContracts(db: Kysely<Database>, known: Record<string, Migration>, now = Date.now()): Promise<void> {
  const contracting = Object.entries(known).filter(([, migration]) => isContracting(migration)).map(([name]) => name);
  if (contracting.length === 0) return;
  await db
    .insertInto('schema_contract')
    .values(contracting.map((migration) => ({ migration, applied_at: now })))
    .onConflict((c) => c.column('migration').doNothing())
    .execute();
}

/** Rows of nodes not started again for this long are dropped, so the table stays small. */
const NODE_ROW_RETENTION_MS = 30 * 24 * 3600_000;

/** This process's row in `schema_node`: host and process id, unique among running nodes. */
export function defaultNodeId(): string {
  return `${os.hostname()}/${process.pid}`.slice(0, 128);
}

/** Records that this node (release `appVersion`, schema `level`) runs on the database. */
export async function recordNode(db: Kysely<Database>, node: { nodeId: string; appVersion: string; level: string }, now = Date.now()): Promise<void> {
  await db.deleteFrom('schema_node').where('started_at', '<', now - NODE_ROW_RETENTION_MS).execute();
  const row = { node_id: node.nodeId, app_version: node.appVersion.slice(0, 64), schema_level: node.level, started_at: now };
  await db
    .insertInto('schema_node')
    .values(row)
    .onConflict((c) => c.column('node_id').doUpdateSet({ app_version: row.app_version, schema_level: row.schema_level, started_at: row.started_at }))
    .execute();
}

/**
 * What `holdfast show-schema` reports (issue #17.1): the migrations a database has, which of them
 * contract the schema, what this release would do on it (migrate, run beside a newer release,
 * refuse), and the nodes that recorded themselves in `schema_node`. Reads only: the database is
 * neither migrated nor written.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Database } from './schema.ts';
import { checkSchemaCompatibility, SchemaGap, SchemaTooNew } from './schema-compatibility.ts';

export interface SchemaState {
  applied: string[];
  /** Known to this release, not applied yet: it would apply them at start. */
  pending: string[];
  /** Applied by a newer release. */
  unknown: string[];
  contracting: Array<{ migration: string; appliedAt: number }>;
  /** What this release does when it starts on the database. */
  verdict: { kind: 'up-to-date' | 'migrates' | 'runs-beside' } | { kind: 'refuses'; reason: string };
  /** Newest start first. Empty on a database no release from migration 030 on has opened. */
  nodes: Array<{ nodeId: string; appVersion: string; schemaLevel: string; startedAt: number }>;
}

export async function readSchemaState(db: Kysely<Database>, known: Record<string, Migration>): Promise<SchemaState> {
  const tables = new Set((await db.introspection.getTables({ withInternalKyselyTables: true })).map((t) => t.name));
  const applied = tables.has('kysely_migration') ? (await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db)).rows.map((r) => r.name).sort() : [];
  const pending = Object.keys(known).filter((name) => !applied.includes(name)).sort();
  const unknown = applied.filter((name) => !(name in known));
  const contracting = tables.has('schema_contract')
    ? (await db.selectFrom('schema_contract').select(['migration', 'applied_at']).orderBy('migration').execute()).map((r) => ({ migration: r.migration, appliedAt: Number(r.applied_at) }))
    : [];
  const nodes = tables.has('schema_node')
    ? (await db.selectFrom('schema_node').selectAll().orderBy('started_at', 'desc').execute()).map((r) => ({ nodeId: r.node_id, appVersion: r.app_version, schemaLevel: r.schema_level, startedAt: Number(r.started_at) }))
    : [];
  let verdict: SchemaState['verdict'];
  try {
    const compatibility = await checkSchemaCompatibility(db, known);
    verdict = { kind: compatibility === 'run-beside' ? 'runs-beside' : pending.length > 0 ? 'migrates' : 'up-to-date' };
  } catch (error) {
    if (!(error instanceof SchemaTooNew || error instanceof SchemaGap)) throw error;
    verdict = { kind: 'refuses', reason: error.message };
  }
  return { applied, pending, unknown, contracting, verdict, nodes };
}

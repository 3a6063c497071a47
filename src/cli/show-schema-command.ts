/**
 * `holdfast show-schema [flags]`: what an operator checks before and during a rolling upgrade or a
 * rollback (docs/operations.md "Upgrades"). The database's migrations and which of them contract
 * the schema; what this release would do on it (apply migrations, run beside a newer release,
 * refuse to start, and why); and which nodes run which release and schema level: on PostgreSQL
 * the live nodes of the cluster (by heartbeat) with their route and address, then those seen
 * before; on SQLite whether a node holds the data directory. Reads only, and runs beside serving
 * nodes.
 */
import { liveNodes } from '../cluster/index.ts';
import { COMMANDS, ConfigError, parseDatabaseConfig } from '../config/index.ts';
import { dataDirHolder, inspectSqlDatabase, readSchemaState, sqliteFile, type SchemaState } from '../store/sql/index.ts';
import { schemaLevel } from '../store/sql/schema-compatibility.ts';
import { migrations } from '../store/sql/migrations/index.ts';
import { maskSecret } from './show-config-command.ts';
import { HOLDFAST_VERSION } from './version.ts';

export const SHOW_SCHEMA_USAGE = `usage: ${COMMANDS['show-schema'].usage}  (holdfast show-schema --help lists every flag)`;

/** Rows of nodes no longer running listed at most; the rest are counted. */
const EARLIER_NODES_SHOWN = 20;

const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  return [header, ...rows].map((row) => `  ${row.map((cell, i) => cell.padEnd(widths[i])).join('  ')}`.trimEnd());
}

function verdictLine(state: SchemaState): string {
  const release = `this release (holdfast ${HOLDFAST_VERSION}, schema ${schemaLevel(migrations)})`;
  switch (state.verdict.kind) {
    case 'up-to-date':
      return `${release}: runs on it as it is`;
    case 'migrates':
      return `${release}: applies ${state.pending.join(', ')} when it starts`;
    case 'runs-beside':
      return `${release}: runs beside the newer release's migrations ${state.unknown.join(', ')}, which only expand the schema`;
    case 'refuses':
      return `${release}: refuses to start: ${state.verdict.reason}`;
  }
}

export async function runShowSchema(argv: string[]): Promise<number> {
  let config;
  try {
    config = parseDatabaseConfig(argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`holdfast show-schema: ${error.message}\n${SHOW_SCHEMA_USAGE}`);
      return 2;
    }
    throw error;
  }
  let database;
  try {
    database = await inspectSqlDatabase(config.db === 'sqlite' ? { dialect: 'sqlite', dataDir: config.dataDir } : { dialect: 'postgres', url: config.dbUrl });
  } catch (error) {
    console.error(`holdfast show-schema: ${(error as Error).message}`);
    return 1;
  }
  try {
    const state = await readSchemaState(database.db, migrations);
    const lines = [`database: ${config.db === 'sqlite' ? `SQLite ${sqliteFile(config.dataDir)}` : `PostgreSQL ${maskSecret(config.dbUrl!)}`}`];
    lines.push(`schema: ${state.applied.length} migrations applied${state.applied.length > 0 ? `, newest ${state.applied.at(-1)}` : ''}`);
    lines.push(`contracting migrations: ${state.contracting.length === 0 ? 'none' : state.contracting.map((c) => `${c.migration} (applied ${when(c.appliedAt)})`).join(', ')}`);
    lines.push(verdictLine(state));
    const recorded = new Map(state.nodes.map((node) => [node.nodeId, node]));
    let earlier = state.nodes;
    if (config.db === 'postgres') {
      const live = state.applied.length > 0 ? await liveNodes(database.db) : [];
      lines.push('', `live nodes (${live.length}):`);
      // A node of a release before migration 030 heartbeats but records no release.
      const rows = live.map((node) => {
        const seen = recorded.get(node.id);
        return [node.route, node.address, seen?.appVersion ?? 'unknown (before 030)', seen?.schemaLevel ?? 'unknown', when(Number(node.started_at))];
      });
      if (rows.length > 0) lines.push(...table(['ROUTE', 'ADDRESS', 'RELEASE', 'SCHEMA', 'STARTED'], rows));
      const liveIds = new Set(live.map((node) => node.id));
      earlier = state.nodes.filter((node) => !liveIds.has(node.nodeId));
      lines.push('', `nodes seen before, not live now (${earlier.length}):`);
    } else {
      const holder = dataDirHolder(config.dataDir);
      lines.push('', holder === undefined ? 'data directory: no node holds it' : `data directory: held by the node with pid ${holder}`);
      lines.push(`nodes that opened it (${earlier.length}):`);
    }
    const shown = earlier.slice(0, EARLIER_NODES_SHOWN).map((node) => [node.nodeId, node.appVersion, node.schemaLevel, when(node.startedAt)]);
    if (shown.length > 0) lines.push(...table(['NODE', 'RELEASE', 'SCHEMA', 'STARTED'], shown));
    if (earlier.length > shown.length) lines.push(`  … and ${earlier.length - shown.length} more, started earlier`);
    console.log(lines.join('\n'));
    return 0;
  } finally {
    await database.close();
  }
}

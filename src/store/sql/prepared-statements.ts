/**
 * The statements sent to PostgreSQL as named prepared statements: parsed and planned once per
 * connection instead of once per call (node-postgres keeps the names each connection has
 * prepared). Only the texts registered here, a fixed handful of hot-path statements
 * (compiled-once.ts): every other statement stays unnamed, so the number of statements a
 * connection holds on the server stays bounded whatever the queries' shapes.
 */
const names = new Map<string, string>();

export function prepareOnPostgres(sql: string): void {
  if (!names.has(sql)) names.set(sql, `holdfast_${names.size + 1}`);
}

/** The prepared statement's name for this text, if it is one. */
export function preparedStatementName(sql: string): string | undefined {
  return names.get(sql);
}

/**
 * Client scopes (issue #12.2): each realm's scopes with their realm default/optional type and
 * listing position; description, attributes and protocol mappers as one JSON document. Realms an
 * earlier release created had no scopes (their clients only named them), so each gets Keycloak's
 * built-in set here, and the names its clients carry resolve to the same grants as before. Only a
 * new table, so nodes of the previous release keep running beside this one (DESIGN rule 8).
 */
import type { Kysely } from 'kysely';
import { builtInClientScopes } from '../../../realm/client-scopes.ts';
import { clientScopeRow } from '../sql-realm-repository.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('client_scope')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull().references('realm.id').onDelete('cascade'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('protocol', 'varchar(64)', (c) => c.notNull())
    .addColumn('realm_default', 'varchar(16)', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('representation', 'text', (c) => c.notNull())
    .addUniqueConstraint('client_scope_realm_name', ['realm_id', 'name'])
    .execute();

  const typed = db as unknown as Kysely<{ realm: { id: string }; client_scope: ReturnType<typeof clientScopeRow> }>;
  const realms = await typed.selectFrom('realm').select('id').execute();
  for (const { id } of realms) await typed.insertInto('client_scope').values(builtInClientScopes(id).map(clientScopeRow)).execute();
}

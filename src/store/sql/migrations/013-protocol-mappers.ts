/**
 * Protocol mappers and scope mappings (issue #12.3, #12.2): the roles in a client's scope and in a
 * client scope's (Keycloak's SCOPE_MAPPING and CLIENT_SCOPE_ROLE_MAPPING), deleted with the
 * client, scope or role by cascade. Built-in scopes an earlier release stored carried no mappers
 * (their claims came from rules in the code); they get Keycloak 26's here, so an upgraded realm's
 * tokens keep their claims now that claims come from mappers. A scope an operator had given
 * mappers keeps exactly those. Clients keep their mappers in their JSON document (absent: none).
 * Each realm's `offline_access` scope gets the `offline_access` role in its scope, as Keycloak
 * gives it. Only new tables and a rewrite of JSON older nodes pass through unchanged (DESIGN rule 8).
 */
import type { Kysely } from 'kysely';
import { builtInMappers } from '../../../realm/protocol-mappers/index.ts';

interface ScopeRow {
  id: string;
  name: string;
  protocol: string;
  representation: string;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('client_scope_mapping')
    .addColumn('client_uuid', 'varchar(64)', (c) => c.notNull().references('client.id').onDelete('cascade'))
    .addColumn('role_id', 'varchar(64)', (c) => c.notNull().references('role.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('client_scope_mapping_pk', ['client_uuid', 'role_id'])
    .execute();
  await db.schema.createIndex('client_scope_mapping_role').on('client_scope_mapping').column('role_id').execute();

  await db.schema
    .createTable('client_scope_role')
    .addColumn('scope_id', 'varchar(64)', (c) => c.notNull().references('client_scope.id').onDelete('cascade'))
    .addColumn('role_id', 'varchar(64)', (c) => c.notNull().references('role.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('client_scope_role_pk', ['scope_id', 'role_id'])
    .execute();
  await db.schema.createIndex('client_scope_role_role').on('client_scope_role').column('role_id').execute();

  const typed = db as unknown as Kysely<{
    client_scope: ScopeRow & { realm_id: string };
    role: { id: string; realm_id: string; client_uuid: string; name: string };
    client_scope_role: { scope_id: string; role_id: string };
  }>;
  const offline = await typed
    .selectFrom('client_scope')
    .innerJoin('role', (join) => join.onRef('role.realm_id', '=', 'client_scope.realm_id').on('role.client_uuid', '=', '').on('role.name', '=', 'offline_access'))
    .select(['client_scope.id as scope_id', 'role.id as role_id'])
    .where('client_scope.name', '=', 'offline_access')
    .execute();
  if (offline.length > 0) await typed.insertInto('client_scope_role').values(offline).execute();

  const scopes = await typed.selectFrom('client_scope').select(['id', 'name', 'protocol', 'representation']).execute();
  for (const scope of scopes) {
    const rep = JSON.parse(scope.representation) as { protocolMappers?: unknown[] };
    const mappers = scope.protocol === 'openid-connect' ? builtInMappers(scope.name) : [];
    if ((rep.protocolMappers ?? []).length > 0 || mappers.length === 0) continue;
    await typed
      .updateTable('client_scope')
      .set({ representation: JSON.stringify({ ...rep, protocolMappers: mappers }) })
      .where('id', '=', scope.id)
      .execute();
  }
}

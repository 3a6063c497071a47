/**
 * The SQL side of identity brokering for SqlRealmRepository: identity providers and their mappers
 * as JSON documents, users' links to upstream accounts as rows (the broker callback finds a link
 * by the upstream subject through a unique index).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, FederatedIdentityTable, IdentityProviderTable } from './schema.ts';
import type { FederatedIdentity, IdentityProvider, IdentityProviderMapper } from '../../realm/types.ts';

type Db = Kysely<Database>;

function toIdentityProvider(row: Selectable<IdentityProviderTable>): IdentityProvider {
  const rest = JSON.parse(row.representation) as Omit<IdentityProvider, 'internalId' | 'realmId' | 'alias' | 'clientSecretSealed'>;
  return { ...rest, internalId: row.internal_id, realmId: row.realm_id, alias: row.alias, clientSecretSealed: row.client_secret_sealed ?? undefined };
}

function identityProviderRow(provider: IdentityProvider): IdentityProviderTable {
  const { internalId, realmId, alias, clientSecretSealed, ...rest } = provider;
  return { internal_id: internalId, realm_id: realmId, alias, representation: JSON.stringify(rest), client_secret_sealed: clientSecretSealed ?? null };
}

function mapperRow(mapper: IdentityProviderMapper) {
  const { id, realmId, identityProviderAlias, ...rest } = mapper;
  return { id, realm_id: realmId, idp_alias: identityProviderAlias, representation: JSON.stringify(rest) };
}

export function federatedIdentityRow(link: FederatedIdentity): FederatedIdentityTable {
  return {
    user_id: link.userId,
    realm_id: link.realmId,
    identity_provider: link.identityProvider,
    federated_user_id: link.federatedUserId,
    federated_username: link.federatedUsername ?? null,
    token: link.token ?? null,
  };
}

function toFederatedIdentity(row: Selectable<FederatedIdentityTable>): FederatedIdentity {
  return {
    userId: row.user_id,
    realmId: row.realm_id,
    identityProvider: row.identity_provider,
    federatedUserId: row.federated_user_id,
    federatedUsername: row.federated_username ?? undefined,
    token: row.token ?? undefined,
  };
}

export async function listIdentityProviders(db: Db, realmId: string): Promise<IdentityProvider[]> {
  return (await db.selectFrom('identity_provider').selectAll().where('realm_id', '=', realmId).orderBy('alias').execute()).map(toIdentityProvider);
}

export async function createIdentityProvider(db: Db, provider: IdentityProvider): Promise<void> {
  await db.insertInto('identity_provider').values(identityProviderRow(provider)).execute();
}

export async function updateIdentityProvider(db: Db, provider: IdentityProvider): Promise<void> {
  const { internal_id, ...row } = identityProviderRow(provider);
  const before = await db.selectFrom('identity_provider').select('alias').where('internal_id', '=', internal_id).executeTakeFirst();
  await db.updateTable('identity_provider').set(row).where('internal_id', '=', internal_id).execute();
  // A renamed provider keeps its mappers and its users' links, as Keycloak does.
  if (before && before.alias !== provider.alias) {
    await db.updateTable('identity_provider_mapper').set({ idp_alias: provider.alias }).where('realm_id', '=', provider.realmId).where('idp_alias', '=', before.alias).execute();
    await db.updateTable('federated_identity').set({ identity_provider: provider.alias }).where('realm_id', '=', provider.realmId).where('identity_provider', '=', before.alias).execute();
  }
}

export async function deleteIdentityProvider(db: Db, realmId: string, alias: string): Promise<void> {
  await db.deleteFrom('identity_provider_mapper').where('realm_id', '=', realmId).where('idp_alias', '=', alias).execute();
  await db.deleteFrom('federated_identity').where('realm_id', '=', realmId).where('identity_provider', '=', alias).execute();
  await db.deleteFrom('identity_provider').where('realm_id', '=', realmId).where('alias', '=', alias).execute();
}

export async function listIdentityProviderMappers(db: Db, realmId: string, alias?: string): Promise<IdentityProviderMapper[]> {
  let query = db.selectFrom('identity_provider_mapper').selectAll().where('realm_id', '=', realmId);
  if (alias !== undefined) query = query.where('idp_alias', '=', alias);
  const rows = await query.orderBy('idp_alias').orderBy('id').execute();
  return rows.map((row) => ({ ...(JSON.parse(row.representation) as Pick<IdentityProviderMapper, 'name' | 'identityProviderMapper' | 'config'>), id: row.id, realmId: row.realm_id, identityProviderAlias: row.idp_alias }));
}

export async function createIdentityProviderMappers(db: Db, mappers: IdentityProviderMapper[]): Promise<void> {
  if (mappers.length === 0) return;
  await db.insertInto('identity_provider_mapper').values(mappers.map(mapperRow)).execute();
}

export async function updateIdentityProviderMapper(db: Db, mapper: IdentityProviderMapper): Promise<void> {
  const { id, ...row } = mapperRow(mapper);
  await db.updateTable('identity_provider_mapper').set(row).where('id', '=', id).execute();
}

export async function deleteIdentityProviderMapper(db: Db, realmId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('identity_provider_mapper').where('realm_id', '=', realmId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function listFederatedIdentities(db: Db, userIds: string[]): Promise<FederatedIdentity[]> {
  if (userIds.length === 0) return [];
  return (await db.selectFrom('federated_identity').selectAll().where('user_id', 'in', userIds).orderBy('identity_provider').execute()).map(toFederatedIdentity);
}

export async function userIdsLinkedTo(db: Db, realmId: string, alias: string): Promise<string[]> {
  const rows = await db.selectFrom('federated_identity').select('user_id').where('realm_id', '=', realmId).where('identity_provider', '=', alias).execute();
  return rows.map((row) => row.user_id);
}

export async function findFederatedIdentity(db: Db, realmId: string, alias: string, federatedUserId: string): Promise<FederatedIdentity | undefined> {
  const row = await db
    .selectFrom('federated_identity')
    .selectAll()
    .where('realm_id', '=', realmId)
    .where('identity_provider', '=', alias)
    .where('federated_user_id', '=', federatedUserId)
    .executeTakeFirst();
  return row && toFederatedIdentity(row);
}

export async function addFederatedIdentity(db: Db, link: FederatedIdentity): Promise<boolean> {
  // Either unique key (the user's link to this provider, or the upstream account) refuses a second link.
  const result = await db.insertInto('federated_identity').values(federatedIdentityRow(link)).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function updateFederatedIdentityToken(db: Db, userId: string, alias: string, token: string | undefined): Promise<void> {
  await db.updateTable('federated_identity').set({ token: token ?? null }).where('user_id', '=', userId).where('identity_provider', '=', alias).execute();
}

export async function removeFederatedIdentity(db: Db, userId: string, alias: string): Promise<boolean> {
  const result = await db.deleteFrom('federated_identity').where('user_id', '=', userId).where('identity_provider', '=', alias).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

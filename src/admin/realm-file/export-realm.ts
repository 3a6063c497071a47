/**
 * Exporting a realm as Keycloak's RealmRepresentation (`holdfast export`): settings, key providers
 * with their keys (unless left out), roles with
 * composites by name, client scopes with the realm's default and optional ones by name, clients with their secrets, groups nested with their role mappings, default
 * groups by path, and users with hashed credentials, role mappings and groups (by path), in a
 * stable order so two exports of the same realm are identical. Users are read in
 * pages by id, with their credentials and roles fetched per page, never one query per user.
 */
import { exportScopeMappings } from './plan-scope-mappings.ts';
import { dataKeyOf } from '../../crypto/index.ts';
import { defaultGroupIds, groupPath, indexRealm, realmDefaultScopes, sortRequiredActions, type Client, type IdentityProvider, type RealmModel, type RealmRepository, type User } from '../../realm/index.ts';
import { toExportedIdentityProvider, toIdentityProviderMapperRepresentation } from '../representations/identity-provider.ts';
import { openCredential } from '../../authn/index.ts';
import { MASKED_SECRET, toClientRepresentation } from '../representations/client.ts';
import { toClientScopeRepresentation } from '../representations/client-scope.ts';
import { KEY_PROVIDER_TYPE, toComponentExport } from '../components/key-providers.ts';
import { toGroupsExport } from '../representations/group.ts';
import { toRealmRepresentation } from '../representations/realm.ts';
import { toRoleExport } from '../representations/role.ts';
import { toUserExport } from '../representations/user.ts';
import { toUserProfileComponent, USER_PROFILE_PROVIDER_TYPE } from './plan-user-profile.ts';

export interface ExportOptions {
  includeUsers: boolean;
  /** Keycloak's partial export leaves out clients, or groups and roles, when not asked for them. */
  includeClients?: boolean;
  includeGroupsAndRoles?: boolean;
  /** Client secrets as `**********`, as Keycloak's partial export writes them. */
  maskSecrets?: boolean;
  /** The key providers with their private keys and secrets (Keycloak's full export has them). */
  includeKeys?: boolean;
  /** Users written so far, of about `total` (service accounts are estimated from the clients). */
  onProgress?: (done: number, total: number) => void;
}

const PAGE = 1_000;

export class UnknownRealm extends Error {}

export async function exportRealm(repository: RealmRepository, name: string, options: ExportOptions): Promise<Record<string, unknown>> {
  const realm = await repository.findRealmByName(name);
  if (!realm) throw new UnknownRealm(`realm '${name}' not found`);
  const [clients, roles, groups, clientScopes, keys, localizationTexts, userProfile, identityProviders, identityProviderMappers] = await Promise.all([
    repository.listClients(realm.id),
    repository.listRoles(realm.id),
    repository.listGroups(realm.id),
    repository.listClientScopes(realm.id),
    repository.listKeys(realm.id),
    repository.localizationTexts(realm.id),
    repository.getUserProfile(realm.id),
    repository.listIdentityProviders(realm.id),
    repository.listIdentityProviderMappers(realm.id),
  ]);
  const sealKey = dataKeyOf(keys);
  const model = indexRealm({ realm, clients, roles, groups, clientScopes, userProfile });
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const sortedClients = [...clients].sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0));
  const clientRoles: Record<string, unknown[]> = {};
  for (const client of sortedClients) {
    clientRoles[client.clientId] = roles.filter((r) => r.clientId === client.id).sort(byName).map((r) => toRoleExport(model, r));
  }
  const representation: Record<string, unknown> = {
    ...toRealmRepresentation(realm, model.rolesById.get(realm.settings.attributes.defaultRoleId)),
    ...(options.includeGroupsAndRoles === false
      ? {}
      : {
          roles: {
            realm: roles.filter((r) => r.clientId === undefined).sort(byName).map((r) => toRoleExport(model, r)),
            client: clientRoles,
          },
          groups: toGroupsExport(model),
          defaultGroups: defaultGroupIds(model).map((id) => groupPath(model, model.groupsById.get(id)!)).sort(),
        }),
    ...(options.includeClients === false ? {} : { clients: sortedClients.map((c) => exportedClient(c, sealKey, options.maskSecrets === true)) }),
    clientScopes: clientScopes.map(toClientScopeRepresentation),
    defaultDefaultClientScopes: realmDefaultScopes(model, 'default').map((s) => s.name),
    defaultOptionalClientScopes: realmDefaultScopes(model, 'optional').map((s) => s.name),
    localizationTexts,
    requiredActions: sortRequiredActions(realm.settings.requiredActions),
    identityProviders: identityProviders.map((p) => exportedIdentityProvider(p, sealKey, options.maskSecrets === true)),
    identityProviderMappers: identityProviderMappers.map(toIdentityProviderMapperRepresentation),
    // As Keycloak: the user profile component only once one was set.
    ...(userProfile ? { components: { [USER_PROFILE_PROVIDER_TYPE]: [toUserProfileComponent(userProfile)] } } : {}),
    ...exportScopeMappings(sortedClients, clientScopes, model.rolesById, model.clientsById),
  };
  if (options.includeKeys !== false) {
    const providers = keys.filter((k) => k.component).sort((a, b) => (a.component!.id < b.component!.id ? -1 : a.component!.id > b.component!.id ? 1 : 0));
    representation.components = { ...(representation.components as Record<string, unknown> | undefined), [KEY_PROVIDER_TYPE]: providers.map(toComponentExport) };
  }
  if (options.includeUsers) representation.users = await exportUsers(repository, model, sealKey, options.onProgress);
  return representation;
}

function exportedIdentityProvider(provider: IdentityProvider, sealKey: Buffer, mask: boolean): Record<string, unknown> {
  const rep = toExportedIdentityProvider(provider, sealKey);
  const config = rep.config as Record<string, string>;
  return mask && config.clientSecret !== undefined ? { ...rep, config: { ...config, clientSecret: MASKED_SECRET } } : rep;
}

function exportedClient(client: Client, sealKey: Buffer, mask: boolean): Record<string, unknown> {
  const rep = toClientRepresentation(client, sealKey, true);
  return mask && rep.secret !== undefined ? { ...rep, secret: MASKED_SECRET } : rep;
}

async function exportUsers(repository: RealmRepository, model: RealmModel, sealKey: Buffer, onProgress?: ExportOptions['onProgress']): Promise<unknown[]> {
  const exported: Array<{ username: string; rep: Record<string, unknown> }> = [];
  const serviceAccounts = [...model.clientsById.values()].filter((c) => c.serviceAccountsEnabled).length;
  const total = onProgress ? (await repository.countUsers(model.realm.id, {})) + serviceAccounts : 0;
  let after: string | undefined;
  for (;;) {
    const page: User[] = await repository.listUsersPage(model.realm.id, after, PAGE);
    if (page.length === 0) break;
    const ids = page.map((u) => u.id);
    const [credentials, roleIds, groupIds, consents, links] = await Promise.all([
      repository.credentialsOfUsers(ids),
      repository.roleIdsOfUsers(ids),
      repository.groupIdsOfUsers(ids),
      repository.consentsOfUsers(ids),
      repository.federatedIdentitiesOfUsers(ids),
    ]);
    for (const user of page) {
      const groups = (groupIds.get(user.id) ?? []).map((id) => groupPath(model, model.groupsById.get(id)!)).sort();
      const userCredentials = (credentials.get(user.id) ?? []).map((c) => openCredential(c, sealKey));
      exported.push({ username: user.username, rep: toUserExport(model, user, userCredentials, roleIds.get(user.id) ?? [], groups, consents.get(user.id), links.get(user.id)) });
    }
    after = page[page.length - 1].id;
    onProgress?.(exported.length, Math.max(total, exported.length));
  }
  exported.sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  return exported.map((e) => e.rep);
}

/**
 * Creating realms, clients and users with everything Keycloak gives a new one: signing keys,
 * the built-in client scopes, the default roles (`default-roles-<realm>`, `offline_access`, `uma_authorization`), the
 * `account`, `realm-management` and `admin-cli` clients, and the default role on every new user.
 */
import { generateRealmKeys, hashPassword, matchesHash, newId, newSecret, seal, sha256Hex, type HashChoice, type StoredKey } from '../crypto/index.ts';
import type { PasswordCredential, RealmRepository } from './realm-repository.ts';
import { builtInClientScopes } from './client-scopes.ts';
import { DEFAULT_REALM_SETTINGS, clientDefaults } from './defaults.ts';
import type { Client, Realm, RealmSettings, Role, User } from './types.ts';

export const ACCOUNT_ROLES = ['manage-account', 'manage-account-links', 'view-profile'];
export const REALM_MANAGEMENT_ROLES = [
  'manage-users',
  'view-users',
  'query-users',
  'manage-clients',
  'view-clients',
  'query-clients',
  'manage-realm',
  'view-realm',
  'manage-events',
  'view-events',
  'query-groups',
  'query-realms',
];

export interface CreatedRealm {
  realm: Realm;
  keys: StoredKey[];
  sealKey: Buffer;
  defaultRoleId: string;
}

function role(realmId: string, name: string, clientId?: string, composites: string[] = []): Role {
  return { id: newId(), realmId, clientId, name, composites, attributes: {} };
}

/** Creates a realm with Keycloak's defaults. Run it inside `repository.transaction`. */
export async function createRealm(repository: RealmRepository, name: string, settings: Partial<RealmSettings>, nowSeconds: number): Promise<CreatedRealm> {
  const realm: Realm = { id: newId(), name, settings: { ...DEFAULT_REALM_SETTINGS, ...settings } };
  await repository.createRealm(realm);
  const keys = await generateRealmKeys(realm.id, name, nowSeconds * 1000);
  await repository.addKeys(keys);
  const sealKey = Buffer.from(keys.find((k) => k.kind === 'aes')!.material, 'base64');
  const scopes = builtInClientScopes(realm.id);
  await repository.createClientScopes(scopes);

  const account: Client = {
    ...clientDefaults(),
    id: newId(),
    realmId: realm.id,
    clientId: 'account',
    name: '${client_account}',
    publicClient: true,
    rootUrl: '${authBaseUrl}',
    baseUrl: `/realms/${name}/account/`,
    redirectUris: [`/realms/${name}/account/*`],
  };
  const realmManagement: Client = { ...clientDefaults(), id: newId(), realmId: realm.id, clientId: 'realm-management', bearerOnly: true, standardFlowEnabled: false };
  const adminCli: Client = {
    ...clientDefaults(),
    id: newId(),
    realmId: realm.id,
    clientId: 'admin-cli',
    publicClient: true,
    standardFlowEnabled: false,
    directAccessGrantsEnabled: true,
  };
  for (const client of [account, realmManagement, adminCli]) await repository.createClient(client);

  const accountRoles = ACCOUNT_ROLES.map((n) => role(realm.id, n, account.id));
  const managementRoles = REALM_MANAGEMENT_ROLES.map((n) => role(realm.id, n, realmManagement.id));
  const realmAdmin = role(realm.id, 'realm-admin', realmManagement.id, managementRoles.map((r) => r.id));
  const offlineAccess = role(realm.id, 'offline_access');
  const umaAuthorization = role(realm.id, 'uma_authorization');
  const defaultComposite = [offlineAccess, umaAuthorization, ...accountRoles.filter((r) => r.name !== 'manage-account-links')].map((r) => r.id);
  const defaultRole = role(realm.id, `default-roles-${name}`, undefined, defaultComposite);
  const roles = [...accountRoles, ...managementRoles, realmAdmin, offlineAccess, umaAuthorization, defaultRole];
  if (name === 'master') roles.push(role(realm.id, 'admin', undefined, [realmAdmin.id]), role(realm.id, 'create-realm'));
  for (const r of roles) await repository.createRole(r);
  // As in Keycloak: a client without full scope gets offline tokens only through this scope mapping.
  const offlineScope = scopes.find((s) => s.name === 'offline_access');
  if (offlineScope) await repository.addScopeMappings({ clientScope: offlineScope.id }, [offlineAccess.id]);

  realm.settings.attributes = { ...realm.settings.attributes, defaultRoleId: defaultRole.id };
  await repository.updateRealm(realm);
  return { realm, keys, sealKey, defaultRoleId: defaultRole.id };
}

/** Sets a client's secret: only its hash (to check it) and a sealed copy (for the admin API) are kept. */
export function withSecret(client: Client, secret: string, sealKey: Buffer): Client {
  return { ...client, secretHash: sha256Hex(secret), secretSealed: seal(sealKey, secret) };
}

/**
 * Whether `secret` authenticates the client: its current secret, or the previous one of a
 * rotation until that one's expiration time (Keycloak's `client.secret.rotated`).
 */
export function matchesClientSecret(client: Client, secret: string, nowSeconds: number): boolean {
  if (client.secretHash && matchesHash(secret, client.secretHash)) return true;
  const rotated = client.rotatedSecret;
  return rotated !== undefined && nowSeconds < rotated.expiresAt && matchesHash(secret, rotated.hash);
}

export function newClientSecret(): string {
  return newSecret(24);
}

export async function newPasswordCredential(password: string, nowMs: number, choice?: HashChoice): Promise<PasswordCredential> {
  return { id: newId(), createdDate: nowMs, ...(await hashPassword(password, choice)) };
}

export function newUser(realmId: string, fields: Partial<User> & { username: string }, nowMs: number): User {
  return {
    id: newId(),
    realmId,
    enabled: true,
    emailVerified: false,
    createdTimestamp: nowMs,
    attributes: {},
    requiredActions: [],
    notBefore: 0,
    ...fields,
    username: fields.username.toLowerCase(),
    email: fields.email?.toLowerCase(),
  };
}

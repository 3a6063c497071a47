/**
 * Creating realms, clients and users with everything Keycloak gives a new one: signing keys,
 * the built-in client scopes, the default roles (`default-roles-<realm>`, `offline_access`, `uma_authorization`), the
 * built-in clients of built-in-clients.ts, and the default role on every new user.
 */
import { generateRealmKeys, hashPassword, matchesHash, newId, newSecret, seal, sha256Hex, type HashChoice, type StoredKey } from '../crypto/index.ts';
import type { PasswordCredential, RealmRepository } from './realm-repository.ts';
import { builtInClientScopes } from './client-scopes.ts';
import { BUILT_IN_CLIENTS, roleDescription } from './built-in-clients.ts';
import { DEFAULT_REALM_SETTINGS } from './defaults.ts';
import type { Client, Realm, RealmSettings, Role, User } from './types.ts';

export interface CreatedRealm {
  realm: Realm;
  keys: StoredKey[];
  sealKey: Buffer;
  defaultRoleId: string;
}

function role(realmId: string, name: string, clientId?: string, composites: string[] = [], description = roleDescription(name)): Role {
  return { id: newId(), realmId, clientId, name, description, composites, attributes: {} };
}

export interface BuiltInsCreated {
  byClientId: Map<string, Client>;
  /** The roles of the built-in clients, existing ones included. */
  roles: Role[];
}

/**
 * Creates the built-in clients (and their roles, composites and scope mappings) a realm lacks;
 * `existing` are the realm's roles so far. New realms get all of them; the start-up upgrade
 * passes a realm an earlier release created.
 */
export async function createBuiltInClients(
  repository: Pick<RealmRepository, 'createClient' | 'createRole' | 'updateRole' | 'addScopeMappings'>,
  realm: Realm,
  existingClients: Client[],
  existingRoles: Role[] = [],
): Promise<BuiltInsCreated> {
  const byClientId = new Map(existingClients.map((c) => [c.clientId, c]));
  for (const builtIn of BUILT_IN_CLIENTS) {
    if (byClientId.has(builtIn.clientId)) continue;
    const client = builtIn.client(realm.id, realm.name);
    await repository.createClient(client);
    byClientId.set(client.clientId, client);
  }
  const roles = [...existingRoles];
  for (const builtIn of BUILT_IN_CLIENTS) {
    const owner = byClientId.get(builtIn.clientId)!;
    const ofClient = (name: string) => roles.find((r) => r.clientId === owner.id && r.name === name);
    const specs = builtIn.roles ?? [];
    // New roles get their composites at creation; existing ones are completed by an update.
    const created = specs.filter((spec) => !ofClient(spec.name)).map((spec) => role(realm.id, spec.name, owner.id));
    roles.push(...created);
    for (const spec of specs) {
      const target = ofClient(spec.name)!;
      const missing = (spec.composites ?? []).map((n) => ofClient(n)!.id).filter((id) => !target.composites.includes(id));
      if (created.includes(target)) {
        target.composites.push(...missing);
        await repository.createRole(target);
      } else if (missing.length > 0) {
        const updated = { ...target, composites: [...target.composites, ...missing] };
        await repository.updateRole(updated);
        roles[roles.indexOf(target)] = updated;
      }
    }
  }
  for (const builtIn of BUILT_IN_CLIENTS) {
    const client = byClientId.get(builtIn.clientId)!;
    for (const [otherId, names] of Object.entries(builtIn.scopeMappings ?? {})) {
      const other = byClientId.get(otherId)!;
      const ids = names.map((n) => roles.find((r) => r.clientId === other.id && r.name === n)!.id).filter((id) => !client.scopeMappings.includes(id));
      if (ids.length > 0) await repository.addScopeMappings({ client: client.id }, ids);
    }
  }
  return { byClientId, roles };
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

  const clients = await createBuiltInClients(repository, realm, []);
  const roleIn = (clientId: string, name: string): Role => clients.roles.find((r) => r.clientId === clients.byClientId.get(clientId)!.id && r.name === name)!;
  const realmManagementRoles = clients.roles.filter((r) => r.clientId === clients.byClientId.get('realm-management')!.id);
  const realmAdmin = role(realm.id, 'realm-admin', clients.byClientId.get('realm-management')!.id, realmManagementRoles.map((r) => r.id));
  const offlineAccess = role(realm.id, 'offline_access', undefined, [], '${role_offline-access}');
  const umaAuthorization = role(realm.id, 'uma_authorization', undefined, [], '${role_uma_authorization}');
  const defaultComposite = [offlineAccess, umaAuthorization, roleIn('account', 'view-profile'), roleIn('account', 'manage-account')].map((r) => r.id);
  const defaultRole = role(realm.id, `default-roles-${name}`, undefined, defaultComposite, '${role_default-roles}');
  const roles = [realmAdmin, offlineAccess, umaAuthorization, defaultRole];
  if (name === 'master') roles.push(role(realm.id, 'admin', undefined, [realmAdmin.id], '${role_admin}'), role(realm.id, 'create-realm', undefined, [], '${role_create-realm}'));
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

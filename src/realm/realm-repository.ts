/**
 * Durable storage of realms, their keys, clients, roles, groups and users. Always SQL (DESIGN:
 * realms and users live in the database whichever session store is chosen).
 */
import type { StoredKey, PasswordHash } from '../crypto/index.ts';
import type { Client, ClientScope, FederatedIdentity, Group, IdentityProvider, IdentityProviderMapper, Realm, Role, StoredUserProfile, User, UserConsent } from './types.ts';

export interface PasswordCredential extends PasswordHash {
  id: string;
  createdDate: number;
  userLabel?: string;
}

/** Any credential as Keycloak stores it: `secretData` and `credentialData` are JSON text. */
export interface StoredCredential {
  id: string;
  type: string;
  userLabel?: string;
  createdDate: number;
  secretData: string;
  credentialData: string;
  priority: number;
}

/** A user written with its role mappings and credentials in one go (import, admin create). */
export interface NewUserRecord {
  user: User;
  roleIds: string[];
  credentials: StoredCredential[];
  /** Groups the user joins (default groups, or the file's `groups`); none when absent. */
  groupIds?: string[];
  /** Consents the user has given (the file's `clientConsents`); none when absent. */
  consents?: UserConsent[];
  /** Links to identity providers (the file's `federatedIdentities`); none when absent. */
  federatedIdentities?: FederatedIdentity[];
}

export interface GroupMembership {
  userId: string;
  groupId: string;
}

/**
 * Keycloak's admin user search. `search` is a list of terms a user must all match, each in
 * username, email, first or last name: `exact` terms whole (case-insensitive), others as a
 * case-insensitive LIKE pattern. The per-field filters match infix unless `exact`.
 */
export interface UserQuery {
  search?: Array<{ exact: boolean; text: string }>;
  username?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  exact?: boolean;
  enabled?: boolean;
  emailVerified?: boolean;
  /** Attribute name and value pairs a user must all have (values compared case-insensitively). */
  attributes?: Array<[string, string]>;
  /** Users with a link to an identity provider (`idpAlias`) or to an upstream account (`idpUserId`), or both. */
  federatedIdentity?: { alias?: string; federatedUserId?: string };
  first?: number;
  max?: number;
}

/** A client initial access token as stored: only the SHA-256 of the token itself. */
export interface ClientInitialAccess {
  id: string;
  realmId: string;
  tokenHash: string;
  /** Creation time, seconds. */
  timestamp: number;
  /** Lifespan in seconds from `timestamp`; 0 never expires. */
  expiration: number;
  count: number;
  remainingCount: number;
}

/** A realm's localization texts: locale → key → text. */
export type LocalizationTexts = Record<string, Record<string, string>>;
/** What holds scope mappings: a client (by UUID) or a client scope. */
export type ScopeOwner = { client: string } | { clientScope: string };

export interface RealmRepository {
  listRealms(): Promise<Realm[]>;
  findRealmByName(name: string): Promise<Realm | undefined>;
  findRealmById(id: string): Promise<Realm | undefined>;
  createRealm(realm: Realm): Promise<void>;
  updateRealm(realm: Realm): Promise<void>;
  deleteRealm(id: string): Promise<void>;

  /** The realm's declarative user profile, when one was set. */
  getUserProfile(realmId: string): Promise<StoredUserProfile | undefined>;
  setUserProfile(realmId: string, profile: StoredUserProfile): Promise<void>;

  listKeys(realmId: string): Promise<StoredKey[]>;
  addKeys(keys: StoredKey[]): Promise<void>;
  /** Rewrites the key `previousKid` (a regenerated key gets a new kid). */
  updateKey(previousKid: string, key: StoredKey): Promise<void>;
  deleteKey(realmId: string, kid: string): Promise<void>;

  listClients(realmId: string): Promise<Client[]>;
  createClient(client: Client): Promise<void>;
  updateClient(client: Client): Promise<void>;
  deleteClient(id: string): Promise<void>;

  /** Every client scope of the realm, in `position` order. */
  listClientScopes(realmId: string): Promise<ClientScope[]>;
  createClientScopes(scopes: ClientScope[]): Promise<void>;
  /** Writes everything but the position. */
  updateClientScope(scope: ClientScope): Promise<void>;
  deleteClientScope(id: string): Promise<void>;
  /** Scope mappings are written only here (client and scope writes leave them as they are). */
  addScopeMappings(owner: ScopeOwner, roleIds: string[]): Promise<void>;
  removeScopeMappings(owner: ScopeOwner, roleIds: string[]): Promise<void>;

  listRoles(realmId: string): Promise<Role[]>;
  createRole(role: Role): Promise<void>;
  updateRole(role: Role): Promise<void>;
  deleteRole(id: string): Promise<void>;

  findUserById(id: string): Promise<User | undefined>;
  findUserByUsername(realmId: string, username: string): Promise<User | undefined>;
  findUserByEmail(realmId: string, email: string): Promise<User[]>;
  findUsers(realmId: string, query: UserQuery): Promise<User[]>;
  countUsers(realmId: string, query: UserQuery): Promise<number>;
  createUser(user: User, roleIds: string[], password?: PasswordCredential): Promise<void>;
  updateUser(user: User): Promise<void>;
  deleteUser(id: string): Promise<void>;
  getPassword(userId: string): Promise<PasswordCredential | undefined>;
  /**
   * Replaces the user's password. With `historyLength` > 1 (policy `passwordHistory`) the old one
   * is kept as a `password-history` credential, and only the newest `historyLength - 1` of those stay.
   */
  setPassword(userId: string, password: PasswordCredential, historyLength?: number): Promise<void>;
  addCredential(userId: string, credential: StoredCredential): Promise<void>;
  deleteCredential(userId: string, credentialId: string): Promise<void>;
  /** Compare-and-set of `credentialData` (an HOTP counter): false when another writer got there first. */
  replaceCredentialData(credentialId: string, expected: string, next: string): Promise<boolean>;
  /**
   * Claims a one-time code of a credential until `expiresAt` (seconds), cluster-wide: false when
   * it was already claimed and has not expired.
   */
  claimOtpCode(credentialId: string, code: string, expiresAt: number, now: number): Promise<boolean>;
  roleIdsOfUser(userId: string): Promise<string[]>;
  addUserRoles(userId: string, roleIds: string[]): Promise<void>;
  removeUserRoles(userId: string, roleIds: string[]): Promise<void>;

  /** Inserts many users, their role mappings and credentials with multi-row statements. */
  createUsers(records: NewUserRecord[]): Promise<void>;
  /** Every user of a realm (service accounts included) in id order, `limit` after `afterId`. */
  listUsersPage(realmId: string, afterId: string | undefined, limit: number): Promise<User[]>;
  /** Users directly mapped to a role, by username. */
  listUsersWithRole(roleId: string, first: number, max: number): Promise<User[]>;
  /** A user's credentials in priority order (lowest first, as Keycloak lists them). */
  listCredentials(userId: string): Promise<StoredCredential[]>;
  updateCredentialLabel(userId: string, credentialId: string, userLabel: string): Promise<void>;
  setCredentialPriorities(userId: string, priorities: Array<{ id: string; priority: number }>): Promise<void>;
  credentialsOfUsers(userIds: string[]): Promise<Map<string, StoredCredential[]>>;
  roleIdsOfUsers(userIds: string[]): Promise<Map<string, string[]>>;

  /** A user's consents, by client. */
  listConsents(userId: string): Promise<UserConsent[]>;
  getConsent(userId: string, clientUuid: string): Promise<UserConsent | undefined>;
  /** Creates or replaces the consent of `consent.userId` to `consent.clientUuid`. */
  putConsent(consent: UserConsent): Promise<void>;
  /** False when there was none. */
  deleteConsent(userId: string, clientUuid: string): Promise<boolean>;
  consentsOfUsers(userIds: string[]): Promise<Map<string, UserConsent[]>>;

  /** The realm's identity providers, by alias. */
  listIdentityProviders(realmId: string): Promise<IdentityProvider[]>;
  createIdentityProvider(provider: IdentityProvider): Promise<void>;
  /** Rewrites the provider with this `internalId` (its alias may change). */
  updateIdentityProvider(provider: IdentityProvider): Promise<void>;
  /** Deletes the provider, its mappers and the links of users to it. */
  deleteIdentityProvider(realmId: string, alias: string): Promise<void>;
  listIdentityProviderMappers(realmId: string, alias?: string): Promise<IdentityProviderMapper[]>;
  createIdentityProviderMappers(mappers: IdentityProviderMapper[]): Promise<void>;
  updateIdentityProviderMapper(mapper: IdentityProviderMapper): Promise<void>;
  /** False when the realm has no such mapper. */
  deleteIdentityProviderMapper(realmId: string, id: string): Promise<boolean>;
  listFederatedIdentities(userId: string): Promise<FederatedIdentity[]>;
  federatedIdentitiesOfUsers(userIds: string[]): Promise<Map<string, FederatedIdentity[]>>;
  /** The ids of the users linked to a provider. */
  userIdsLinkedTo(realmId: string, alias: string): Promise<string[]>;
  /** The link of an upstream account, whoever holds it. */
  findFederatedIdentity(realmId: string, alias: string, federatedUserId: string): Promise<FederatedIdentity | undefined>;
  /** False when the user already has a link to that provider or the upstream account is linked to someone. */
  addFederatedIdentity(link: FederatedIdentity): Promise<boolean>;
  /** Replaces the stored upstream token of a link. */
  updateFederatedIdentityToken(userId: string, alias: string, token: string | undefined): Promise<void>;
  /** False when there was no such link. */
  removeFederatedIdentity(userId: string, alias: string): Promise<boolean>;

  /** Every group of the realm, with the roles mapped to each. */
  listGroups(realmId: string): Promise<Group[]>;
  /** Inserts groups (parents before their subgroups) and their role mappings. */
  createGroups(groups: Group[]): Promise<void>;
  /** Writes name, parent, description, attributes and the default flag; role mappings stay. */
  updateGroup(group: Group): Promise<void>;
  /** Deletes these groups; their memberships and role mappings go with them. */
  deleteGroups(ids: string[]): Promise<void>;
  addGroupRoles(groupId: string, roleIds: string[]): Promise<void>;
  removeGroupRoles(groupId: string, roleIds: string[]): Promise<void>;
  groupIdsOfUser(userId: string): Promise<string[]>;
  groupIdsOfUsers(userIds: string[]): Promise<Map<string, string[]>>;
  addGroupMembers(memberships: GroupMembership[]): Promise<void>;
  removeGroupMember(membership: GroupMembership): Promise<void>;
  /** Direct members of a group, by username. */
  listGroupMembers(groupId: string, first: number, max: number): Promise<User[]>;
  listClientInitialAccess(realmId: string): Promise<ClientInitialAccess[]>;
  createClientInitialAccess(access: ClientInitialAccess): Promise<void>;
  /** Whether a token of this realm with that id existed. */
  deleteClientInitialAccess(realmId: string, id: string): Promise<boolean>;

  localizationTexts(realmId: string): Promise<LocalizationTexts>;
  /** Adds or replaces these texts of one locale. */
  putLocalizationTexts(realmId: string, locale: string, texts: Record<string, string>): Promise<void>;
  /** Removes one text, or every text of the locale without `key`; answers how many went. */
  deleteLocalizationTexts(realmId: string, locale: string, key?: string): Promise<number>;

  /**
   * Inside a transaction: holds the realm's row until commit, so that changes to the group tree
   * (moves) are serialised per realm and two concurrent moves cannot build a cycle.
   */
  lockRealm(realmId: string): Promise<void>;

  /** Runs `work` atomically: everything or nothing is written. */
  transaction<T>(work: (repository: RealmRepository) => Promise<T>): Promise<T>;
}

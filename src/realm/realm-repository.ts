/**
 * Durable storage of realms, their keys, clients, roles, groups and users. Always SQL (DESIGN:
 * realms and users live in the database whichever session store is chosen).
 */
import type { StoredKey, PasswordHash } from '../crypto/index.ts';
import type { Client, ClientScope, Group, Realm, Role, User } from './types.ts';

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
}

export interface GroupMembership {
  userId: string;
  groupId: string;
}

export interface UserQuery {
  search?: string;
  username?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  exact?: boolean;
  enabled?: boolean;
  first?: number;
  max?: number;
}

/** What holds scope mappings: a client (by UUID) or a client scope. */
export type ScopeOwner = { client: string } | { clientScope: string };

export interface RealmRepository {
  listRealms(): Promise<Realm[]>;
  findRealmByName(name: string): Promise<Realm | undefined>;
  findRealmById(id: string): Promise<Realm | undefined>;
  createRealm(realm: Realm): Promise<void>;
  updateRealm(realm: Realm): Promise<void>;
  deleteRealm(id: string): Promise<void>;

  listKeys(realmId: string): Promise<StoredKey[]>;
  addKeys(keys: StoredKey[]): Promise<void>;

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
  setPassword(userId: string, password: PasswordCredential): Promise<void>;
  roleIdsOfUser(userId: string): Promise<string[]>;
  addUserRoles(userId: string, roleIds: string[]): Promise<void>;
  removeUserRoles(userId: string, roleIds: string[]): Promise<void>;

  /** Inserts many users, their role mappings and credentials with multi-row statements. */
  createUsers(records: NewUserRecord[]): Promise<void>;
  /** Every user of a realm (service accounts included) in id order, `limit` after `afterId`. */
  listUsersPage(realmId: string, afterId: string | undefined, limit: number): Promise<User[]>;
  /** Users directly mapped to a role, by username. */
  listUsersWithRole(roleId: string, first: number, max: number): Promise<User[]>;
  listCredentials(userId: string): Promise<StoredCredential[]>;
  credentialsOfUsers(userIds: string[]): Promise<Map<string, StoredCredential[]>>;
  roleIdsOfUsers(userIds: string[]): Promise<Map<string, string[]>>;

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
  /**
   * Inside a transaction: holds the realm's row until commit, so that changes to the group tree
   * (moves) are serialised per realm and two concurrent moves cannot build a cycle.
   */
  lockRealm(realmId: string): Promise<void>;

  /** Runs `work` atomically: everything or nothing is written. */
  transaction<T>(work: (repository: RealmRepository) => Promise<T>): Promise<T>;
}

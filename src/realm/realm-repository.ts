/**
 * Durable storage of realms, their keys, clients, roles and users. Always SQL (DESIGN: realms and
 * users live in the database whichever session store is chosen).
 */
import type { StoredKey, PasswordHash } from '../crypto/index.ts';
import type { Client, Realm, Role, User } from './types.ts';

export interface PasswordCredential extends PasswordHash {
  id: string;
  createdDate: number;
  userLabel?: string;
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

  /** Runs `work` atomically: everything or nothing is written. */
  transaction<T>(work: (repository: RealmRepository) => Promise<T>): Promise<T>;
}

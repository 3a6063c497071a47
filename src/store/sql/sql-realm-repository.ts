/**
 * RealmRepository on SQL. Realm settings and client representations are JSON documents (they are
 * read whole and parsed once into the realm cache); users are columns, because they are queried,
 * and every write of a user rewrites its rows in the `user_attribute` search index.
 * Realm key material is sealed under the key-encryption key on the way in and opened on the way
 * out, so everything above this file sees plain keys and the database holds none.
 */
import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type { ClientScopeTable, Database, GroupTable, RealmKeyTable, UserAttributeTable, UserConsentTable, UserTable } from './schema.ts';
import type {
  ClientInitialAccess,
  GroupMembership,
  LocalizationTexts,
  NewUserRecord,
  PasswordCredential,
  RealmRepository,
  ScopeOwner,
  StoredCredential,
  UserQuery,
} from '../../realm/realm-repository.ts';
import type { Client, ClientScope, FederatedIdentity, Group, IdentityProvider, IdentityProviderMapper, Realm, RealmDefaultType, Role, StoredUserProfile, User, UserConsent } from '../../realm/types.ts';
import * as brokering from './sql-identity-providers.ts';
import { sha256Hex, type KeyComponent, type KeyKind, type KeyRing, type StoredKey } from '../../crypto/index.ts';
import { DEFAULT_REALM_SETTINGS } from '../../realm/defaults.ts';
import { MAX_ATTRIBUTE_NAME } from '../../realm/user-profile/index.ts';

const flag = (value: boolean): number => (value ? 1 : 0);
/** Keycloak's credential type for the earlier passwords a `passwordHistory` policy keeps. */
const PASSWORD_HISTORY = 'password-history';

/** What a sealed key is bound to (authenticated, not secret): moved to another row, it no longer opens. */
export function realmKeyContext(realmId: string, kid: string): string {
  return `realm_key/${realmId}/${kid}`;
}

/** Providers of rows written before migration 009-key-providers, by kind. */
const LEGACY_PROVIDER_IDS: Partial<Record<string, string>> = { rsa: 'rsa-generated', hmac: 'hmac-generated' };

/** The key's provider component; a row an older node wrote reads as a priority-100 generated provider. */
function toKeyComponent(r: Selectable<RealmKeyTable>): KeyComponent | undefined {
  if (r.kind === 'aes') return undefined;
  const providerId = r.provider_id ?? LEGACY_PROVIDER_IDS[r.kind] ?? r.kind;
  return {
    id: r.component_id ?? r.kid,
    name: r.name ?? providerId,
    providerId,
    priority: r.priority ?? 100,
    enabled: r.enabled !== 0,
    certificate: r.certificate ?? undefined,
    config: r.config === null ? {} : JSON.parse(r.config),
  };
}

function toUser(row: Selectable<UserTable>): User {
  return {
    id: row.id,
    realmId: row.realm_id,
    username: row.username,
    email: row.email ?? undefined,
    firstName: row.first_name ?? undefined,
    lastName: row.last_name ?? undefined,
    enabled: row.enabled === 1,
    emailVerified: row.email_verified === 1,
    createdTimestamp: Number(row.created_timestamp),
    attributes: JSON.parse(row.attributes),
    requiredActions: JSON.parse(row.required_actions),
    notBefore: row.not_before,
    serviceAccountClientId: row.service_account_client_id ?? undefined,
  };
}

function userRow(user: User): UserTable {
  return {
    id: user.id,
    realm_id: user.realmId,
    username: user.username,
    email: user.email ?? null,
    first_name: user.firstName ?? null,
    last_name: user.lastName ?? null,
    enabled: flag(user.enabled),
    email_verified: flag(user.emailVerified),
    created_timestamp: user.createdTimestamp,
    attributes: JSON.stringify(user.attributes),
    required_actions: JSON.stringify(user.requiredActions),
    not_before: user.notBefore,
    service_account_client_id: user.serviceAccountClientId ?? null,
  };
}

function toConsent(row: Selectable<UserConsentTable>): UserConsent {
  return {
    userId: row.user_id,
    clientUuid: row.client_uuid,
    grantedScopeIds: JSON.parse(row.granted_scopes),
    createdDate: Number(row.created_date),
    lastUpdatedDate: Number(row.last_updated_date),
  };
}

function consentRow(consent: UserConsent): UserConsentTable {
  return {
    user_id: consent.userId,
    client_uuid: consent.clientUuid,
    granted_scopes: JSON.stringify(consent.grantedScopeIds),
    created_date: consent.createdDate,
    last_updated_date: consent.lastUpdatedDate,
  };
}

function clientRow(client: Client) {
  // Scope mappings have their own table (migration 007), so that a deleted role leaves them.
  const { secretHash, secretSealed, scopeMappings: _scopeMappings, ...representation } = client;
  return {
    id: client.id,
    realm_id: client.realmId,
    client_id: client.clientId,
    representation: JSON.stringify(representation),
    secret_hash: secretHash ?? null,
    secret_sealed: secretSealed ?? null,
  };
}

function roleRow(role: Role) {
  return {
    id: role.id,
    realm_id: role.realmId,
    client_uuid: role.clientId ?? '',
    name: role.name,
    description: role.description ?? null,
    composites: JSON.stringify(role.composites),
    attributes: JSON.stringify(role.attributes),
  };
}

function groupRow(group: Group): GroupTable {
  return {
    id: group.id,
    realm_id: group.realmId,
    parent_id: group.parentId ?? '',
    name: group.name,
    description: group.description ?? null,
    attributes: JSON.stringify(group.attributes),
    default_group: flag(group.defaultGroup),
  };
}

export function clientScopeRow(scope: ClientScope): ClientScopeTable {
  return {
    id: scope.id,
    realm_id: scope.realmId,
    name: scope.name,
    protocol: scope.protocol,
    realm_default: scope.realmDefault ?? '',
    position: scope.position,
    representation: JSON.stringify({ description: scope.description, attributes: scope.attributes, protocolMappers: scope.protocolMappers }),
  };
}

function toClientScope(row: Selectable<ClientScopeTable>, scopeMappings: string[]): ClientScope {
  const rep = JSON.parse(row.representation) as Pick<ClientScope, 'description' | 'attributes' | 'protocolMappers'>;
  return {
    id: row.id,
    realmId: row.realm_id,
    name: row.name,
    description: rep.description,
    protocol: row.protocol,
    attributes: rep.attributes,
    protocolMappers: rep.protocolMappers ?? [],
    scopeMappings,
    realmDefault: row.realm_default === '' ? undefined : (row.realm_default as RealmDefaultType),
    position: row.position,
  };
}

/**
 * Rows per multi-row INSERT. Large enough that a 100,000-user import is a few hundred statements,
 * small enough to stay far below SQLite's and PostgreSQL's bound-parameter limits.
 */
const INSERT_CHUNK = 500;

function groupByOwner(rows: Array<{ owner: string; role_id: string }>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { owner, role_id } of rows) (out.get(owner) ?? out.set(owner, []).get(owner)!).push(role_id);
  return out;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Rows of many users fetched a chunk of ids at a time, grouped by user. */
async function byUser<T>(userIds: string[], fetch: (part: string[]) => Promise<Array<[string, T]>>): Promise<Map<string, T[]>> {
  const grouped = new Map<string, T[]>();
  for (const part of chunks(userIds, INSERT_CHUNK)) {
    for (const [userId, value] of await fetch(part)) {
      const list = grouped.get(userId);
      if (list) list.push(value);
      else grouped.set(userId, [value]);
    }
  }
  return grouped;
}

function toStoredCredential(row: { id: string; type: string; user_label: string | null; created_date: number; secret_data: string; credential_data: string; priority: number }): StoredCredential {
  return {
    id: row.id,
    type: row.type,
    userLabel: row.user_label ?? undefined,
    createdDate: Number(row.created_date),
    secretData: row.secret_data,
    credentialData: row.credential_data,
    priority: row.priority,
  };
}

export const attributeValueHash = (value: string): string => sha256Hex(value.toLowerCase());

/** The search-index rows of one user's attributes. */
export function attributeIndexRows(userId: string, attributes: Record<string, string[]>): UserAttributeTable[] {
  return Object.entries(attributes)
    // Longer names (from a realm file) are kept on the user but cannot be searched for.
    .filter(([name]) => name.length <= MAX_ATTRIBUTE_NAME)
    .flatMap(([name, values]) => [...new Set(values.map(attributeValueHash))].map((value_hash) => ({ user_id: userId, name, value_hash })));
}

/** `text` for a LIKE with `\` as the escape character: its own `%`, `_` and `\` match literally. */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => '\\' + c);

/** A user-given pattern: `*` is a wildcard, everything else literal. */
const wildcard = (text: string): string => escapeLike(text.toLowerCase()).replace(/\*/g, '%');

type UserColumn = 'username' | 'email' | 'first_name' | 'last_name';
const SEARCHED_COLUMNS: UserColumn[] = ['username', 'email', 'first_name', 'last_name'];

/**
 * The column as compared in searches: usernames and emails are stored lower-case, so they are
 * compared as they are (their indexes serve exact matches); names through `lower()`, which
 * migration 007 indexes per realm.
 */
function searchable(eb: ExpressionBuilder<Database, 'app_user'>, column: UserColumn) {
  return column === 'username' || column === 'email' ? eb.ref(column) : eb.fn<string>('lower', [column]);
}

function matches(eb: ExpressionBuilder<Database, 'app_user'>, column: UserColumn, exact: boolean, text: string) {
  if (exact) return eb(searchable(eb, column), '=', text);
  // The ESCAPE clause makes SQLite honour `\` as PostgreSQL does by default.
  return sql<boolean>`${searchable(eb, column)} like ${text} escape '\\'`;
}

export class SqlRealmRepository implements RealmRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyRing: KeyRing,
  ) {}

  async transaction<T>(work: (repository: RealmRepository) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((tx) => work(new SqlRealmRepository(tx, this.keyRing)));
  }

  private toRealm(row: { id: string; name: string; settings: string }): Realm {
    return { id: row.id, name: row.name, settings: { ...DEFAULT_REALM_SETTINGS, ...JSON.parse(row.settings) } };
  }

  async listRealms(): Promise<Realm[]> {
    return (await this.db.selectFrom('realm').selectAll().orderBy('created_at').orderBy('name').execute()).map((r) => this.toRealm(r));
  }
  async findRealmByName(name: string): Promise<Realm | undefined> {
    const row = await this.db.selectFrom('realm').selectAll().where('name', '=', name).executeTakeFirst();
    return row && this.toRealm(row);
  }
  async findRealmById(id: string): Promise<Realm | undefined> {
    const row = await this.db.selectFrom('realm').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.toRealm(row);
  }
  async createRealm(realm: Realm): Promise<void> {
    await this.db
      .insertInto('realm')
      .values({ id: realm.id, name: realm.name, settings: JSON.stringify(realm.settings), created_at: Math.floor(Date.now() / 1000) })
      .execute();
  }
  async updateRealm(realm: Realm): Promise<void> {
    await this.db.updateTable('realm').set({ name: realm.name, settings: JSON.stringify(realm.settings) }).where('id', '=', realm.id).execute();
  }
  async deleteRealm(id: string): Promise<void> {
    await this.db.deleteFrom('realm').where('id', '=', id).execute();
  }

  async getUserProfile(realmId: string): Promise<StoredUserProfile | undefined> {
    const row = await this.db.selectFrom('user_profile').selectAll().where('realm_id', '=', realmId).executeTakeFirst();
    return row && { componentId: row.component_id, config: JSON.parse(row.config) };
  }
  async setUserProfile(realmId: string, profile: StoredUserProfile): Promise<void> {
    const config = JSON.stringify(profile.config);
    await this.db
      .insertInto('user_profile')
      .values({ realm_id: realmId, component_id: profile.componentId, config })
      .onConflict((oc) => oc.column('realm_id').doUpdateSet({ component_id: profile.componentId, config }))
      .execute();
  }

  async listKeys(realmId: string): Promise<StoredKey[]> {
    const rows = await this.db.selectFrom('realm_key').selectAll().where('realm_id', '=', realmId).execute();
    return rows.map((r) => ({
      kid: r.kid,
      realmId: r.realm_id,
      kind: r.kind as KeyKind,
      algorithm: r.algorithm,
      // A row still in plaintext (written by an earlier release during a rolling upgrade) is
      // used as it is rather than lost; the next start seals it.
      material: r.kek_id === null ? r.material : this.keyRing.unwrap(r.kek_id, r.material, realmKeyContext(r.realm_id, r.kid)),
      createdAt: r.created_at,
      active: r.active === 1,
      component: toKeyComponent(r),
    }));
  }
  async addKeys(keys: StoredKey[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db
      .insertInto('realm_key')
      .values(keys.map((k) => ({ kid: k.kid, realm_id: k.realmId, kind: k.kind, algorithm: k.algorithm, created_at: k.createdAt, ...this.keyColumns(k) })))
      .execute();
  }
  async updateKey(previousKid: string, key: StoredKey): Promise<void> {
    await this.db
      .updateTable('realm_key')
      .set({ kid: key.kid, kind: key.kind, algorithm: key.algorithm, created_at: key.createdAt, ...this.keyColumns(key) })
      .where('kid', '=', previousKid)
      .where('realm_id', '=', key.realmId)
      .execute();
  }
  async deleteKey(realmId: string, kid: string): Promise<void> {
    await this.db.deleteFrom('realm_key').where('kid', '=', kid).where('realm_id', '=', realmId).execute();
  }
  private keyColumns(k: StoredKey) {
    const { kekId, sealed } = this.keyRing.wrap(k.material, realmKeyContext(k.realmId, k.kid));
    const c = k.component;
    return {
      material: sealed,
      kek_id: kekId,
      active: flag(k.active),
      component_id: c?.id ?? null,
      provider_id: c?.providerId ?? null,
      name: c?.name ?? null,
      priority: c?.priority ?? null,
      enabled: c === undefined ? null : flag(c.enabled),
      certificate: c?.certificate ?? null,
      config: c === undefined ? null : JSON.stringify(c.config),
    };
  }

  async listClients(realmId: string): Promise<Client[]> {
    const rows = await this.db.selectFrom('client').selectAll().where('realm_id', '=', realmId).orderBy('client_id').execute();
    const mappings = await this.db
      .selectFrom('client_scope_mapping')
      .innerJoin('client', 'client.id', 'client_scope_mapping.client_uuid')
      .select(['client_scope_mapping.client_uuid as owner', 'client_scope_mapping.role_id'])
      .where('client.realm_id', '=', realmId)
      .orderBy('client_scope_mapping.role_id')
      .execute();
    const scopeMappings = groupByOwner(mappings);
    return rows.map((r) => {
      const rep = JSON.parse(r.representation) as Omit<Client, 'protocolMappers'> & { protocolMappers?: Client['protocolMappers'] };
      // Clients an earlier release stored have no mappers in their document.
      return { ...rep, protocolMappers: rep.protocolMappers ?? [], scopeMappings: scopeMappings.get(r.id) ?? [], secretHash: r.secret_hash ?? undefined, secretSealed: r.secret_sealed ?? undefined };
    });
  }
  async createClient(client: Client): Promise<void> {
    await this.db.insertInto('client').values(clientRow(client)).execute();
  }
  async updateClient(client: Client): Promise<void> {
    const { id, ...row } = clientRow(client);
    await this.db.updateTable('client').set(row).where('id', '=', id).execute();
  }
  async deleteClient(id: string): Promise<void> {
    await this.db.deleteFrom('client').where('id', '=', id).execute();
  }

  async listClientScopes(realmId: string): Promise<ClientScope[]> {
    const rows = await this.db.selectFrom('client_scope').selectAll().where('realm_id', '=', realmId).orderBy('position').orderBy('name').execute();
    const mappings = await this.db
      .selectFrom('client_scope_role')
      .innerJoin('client_scope', 'client_scope.id', 'client_scope_role.scope_id')
      .select(['client_scope_role.scope_id as owner', 'client_scope_role.role_id'])
      .where('client_scope.realm_id', '=', realmId)
      .orderBy('client_scope_role.role_id')
      .execute();
    const scopeMappings = groupByOwner(mappings);
    return rows.map((r) => toClientScope(r, scopeMappings.get(r.id) ?? []));
  }
  async addScopeMappings(owner: ScopeOwner, roleIds: string[]): Promise<void> {
    if (roleIds.length === 0) return;
    const unique = [...new Set(roleIds)];
    if ('client' in owner) {
      await this.db
        .insertInto('client_scope_mapping')
        .values(unique.map((role_id) => ({ client_uuid: owner.client, role_id })))
        .onConflict((oc) => oc.columns(['client_uuid', 'role_id']).doNothing())
        .execute();
    } else {
      await this.db
        .insertInto('client_scope_role')
        .values(unique.map((role_id) => ({ scope_id: owner.clientScope, role_id })))
        .onConflict((oc) => oc.columns(['scope_id', 'role_id']).doNothing())
        .execute();
    }
  }
  async removeScopeMappings(owner: ScopeOwner, roleIds: string[]): Promise<void> {
    if (roleIds.length === 0) return;
    if ('client' in owner) await this.db.deleteFrom('client_scope_mapping').where('client_uuid', '=', owner.client).where('role_id', 'in', roleIds).execute();
    else await this.db.deleteFrom('client_scope_role').where('scope_id', '=', owner.clientScope).where('role_id', 'in', roleIds).execute();
  }
  async createClientScopes(scopes: ClientScope[]): Promise<void> {
    for (const part of chunks(scopes, INSERT_CHUNK)) await this.db.insertInto('client_scope').values(part.map(clientScopeRow)).execute();
  }
  async updateClientScope(scope: ClientScope): Promise<void> {
    const { id, position: _position, ...row } = clientScopeRow(scope);
    await this.db.updateTable('client_scope').set(row).where('id', '=', id).execute();
  }
  async deleteClientScope(id: string): Promise<void> {
    await this.db.deleteFrom('client_scope').where('id', '=', id).execute();
  }

  async listRoles(realmId: string): Promise<Role[]> {
    const rows = await this.db.selectFrom('role').selectAll().where('realm_id', '=', realmId).orderBy('name').execute();
    return rows.map((r) => ({
      id: r.id,
      realmId: r.realm_id,
      clientId: r.client_uuid === '' ? undefined : r.client_uuid,
      name: r.name,
      description: r.description ?? undefined,
      composites: JSON.parse(r.composites),
      attributes: JSON.parse(r.attributes),
    }));
  }
  async createRole(role: Role): Promise<void> {
    await this.db.insertInto('role').values(roleRow(role)).execute();
  }
  async updateRole(role: Role): Promise<void> {
    const { id, ...row } = roleRow(role);
    await this.db.updateTable('role').set(row).where('id', '=', id).execute();
  }
  async deleteRole(id: string): Promise<void> {
    await this.db.deleteFrom('role').where('id', '=', id).execute();
  }

  async findUserById(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }
  async findUserByUsername(realmId: string, username: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('app_user')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where('username', '=', username.toLowerCase())
      .executeTakeFirst();
    return row && toUser(row);
  }
  async findUserByEmail(realmId: string, email: string): Promise<User[]> {
    const rows = await this.db.selectFrom('app_user').selectAll().where('realm_id', '=', realmId).where('email', '=', email.toLowerCase()).execute();
    return rows.map(toUser);
  }

  private userQuery(realmId: string, query: UserQuery) {
    let q = this.db.selectFrom('app_user').where('realm_id', '=', realmId).where('service_account_client_id', 'is', null);
    for (const term of query.search ?? []) {
      // Keycloak's search: every term must match one of the fields, whole or as a prefix pattern.
      const text = term.text.toLowerCase();
      q = q.where((eb) => eb.or(SEARCHED_COLUMNS.map((column) => matches(eb, column, term.exact, term.exact ? text : `${wildcard(text)}%`))));
    }
    for (const [field, column] of [
      ['username', 'username'],
      ['email', 'email'],
      ['firstName', 'first_name'],
      ['lastName', 'last_name'],
    ] as const) {
      const value = query[field];
      if (value === undefined) continue;
      const lower = value.toLowerCase();
      q = q.where((eb) => matches(eb, column, query.exact === true, query.exact ? lower : `%${wildcard(lower)}%`));
    }
    if (query.enabled !== undefined) q = q.where('enabled', '=', flag(query.enabled));
    if (query.emailVerified !== undefined) q = q.where('email_verified', '=', flag(query.emailVerified));
    for (const [name, value] of query.attributes ?? []) {
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('user_attribute')
            .select('user_attribute.user_id')
            .whereRef('user_attribute.user_id', '=', 'app_user.id')
            .where('user_attribute.name', '=', name)
            .where('user_attribute.value_hash', '=', attributeValueHash(value)),
        ),
      );
    }
    const link = query.federatedIdentity;
    if (link) {
      q = q.where((eb) => {
        let linked = eb.selectFrom('federated_identity').select('federated_identity.user_id').whereRef('federated_identity.user_id', '=', 'app_user.id');
        if (link.alias !== undefined) linked = linked.where('federated_identity.identity_provider', '=', link.alias);
        if (link.federatedUserId !== undefined) linked = linked.where('federated_identity.federated_user_id', '=', link.federatedUserId);
        return eb.exists(linked);
      });
    }
    return q;
  }

  async findUsers(realmId: string, query: UserQuery): Promise<User[]> {
    const rows = await this.userQuery(realmId, query)
      .selectAll()
      .orderBy('username')
      .offset(query.first ?? 0)
      .limit(query.max ?? 100)
      .execute();
    return rows.map(toUser);
  }
  async countUsers(realmId: string, query: UserQuery): Promise<number> {
    const row = await this.userQuery(realmId, query)
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  private async indexAttributes(userIds: string[], rows: UserAttributeTable[]): Promise<void> {
    for (const part of chunks(userIds, INSERT_CHUNK)) await this.db.deleteFrom('user_attribute').where('user_id', 'in', part).execute();
    for (const part of chunks(rows, INSERT_CHUNK)) await this.db.insertInto('user_attribute').values(part).execute();
  }

  async createUser(user: User, roleIds: string[], password?: PasswordCredential): Promise<void> {
    await this.db.insertInto('app_user').values(userRow(user)).execute();
    await this.indexAttributes([], attributeIndexRows(user.id, user.attributes));
    if (roleIds.length > 0) await this.addUserRoles(user.id, roleIds);
    if (password) await this.setPassword(user.id, password);
  }
  async updateUser(user: User): Promise<void> {
    const { id, ...row } = userRow(user);
    // The row and its index rows change together, so a `q` search never sees one without the other.
    const write = async (repository: SqlRealmRepository) => {
      await repository.db.updateTable('app_user').set(row).where('id', '=', id).execute();
      await repository.indexAttributes([id], attributeIndexRows(id, user.attributes));
    };
    if (this.db.isTransaction) await write(this);
    else await this.db.transaction().execute((tx) => write(new SqlRealmRepository(tx, this.keyRing)));
  }
  async deleteUser(id: string): Promise<void> {
    await this.db.deleteFrom('app_user').where('id', '=', id).execute();
  }

  async getPassword(userId: string): Promise<PasswordCredential | undefined> {
    const row = await this.db
      .selectFrom('credential')
      .selectAll()
      .where('user_id', '=', userId)
      .where('type', '=', 'password')
      .orderBy('priority')
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      createdDate: Number(row.created_date),
      userLabel: row.user_label ?? undefined,
      credentialData: JSON.parse(row.credential_data),
      secretData: JSON.parse(row.secret_data),
    };
  }
  async setPassword(userId: string, password: PasswordCredential, historyLength = 0): Promise<void> {
    if (historyLength > 1) {
      await this.db.updateTable('credential').set({ type: PASSWORD_HISTORY }).where('user_id', '=', userId).where('type', '=', 'password').execute();
    } else {
      await this.db.deleteFrom('credential').where('user_id', '=', userId).where('type', '=', 'password').execute();
    }
    const kept = await this.db
      .selectFrom('credential')
      .select('id')
      .where('user_id', '=', userId)
      .where('type', '=', PASSWORD_HISTORY)
      .orderBy('created_date', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.max(0, historyLength - 1))
      .execute();
    let stale = this.db.deleteFrom('credential').where('user_id', '=', userId).where('type', '=', PASSWORD_HISTORY);
    if (kept.length > 0) stale = stale.where('id', 'not in', kept.map((k) => k.id));
    await stale.execute();
    await this.addCredential(userId, {
      id: password.id,
      type: 'password',
      userLabel: password.userLabel,
      createdDate: password.createdDate,
      secretData: JSON.stringify(password.secretData),
      credentialData: JSON.stringify(password.credentialData),
      priority: 10,
    });
  }
  async addCredential(userId: string, c: StoredCredential): Promise<void> {
    await this.db
      .insertInto('credential')
      .values({ id: c.id, user_id: userId, type: c.type, user_label: c.userLabel ?? null, created_date: c.createdDate, secret_data: c.secretData, credential_data: c.credentialData, priority: c.priority })
      .execute();
  }
  async deleteCredential(userId: string, credentialId: string): Promise<void> {
    await this.db.deleteFrom('credential').where('user_id', '=', userId).where('id', '=', credentialId).execute();
  }
  async replaceCredentialData(credentialId: string, expected: string, next: string): Promise<boolean> {
    const result = await this.db.updateTable('credential').set({ credential_data: next }).where('id', '=', credentialId).where('credential_data', '=', expected).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
  async claimOtpCode(credentialId: string, code: string, expiresAt: number, now: number): Promise<boolean> {
    await this.db.deleteFrom('otp_used_code').where('credential_id', '=', credentialId).where('expires_at', '<=', now).execute();
    const result = await this.db
      .insertInto('otp_used_code')
      .values({ credential_id: credentialId, code, expires_at: expiresAt })
      .onConflict((oc) => oc.columns(['credential_id', 'code']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async createUsers(records: NewUserRecord[]): Promise<void> {
    for (const part of chunks(records, INSERT_CHUNK)) {
      await this.db.insertInto('app_user').values(part.map((r) => userRow(r.user))).execute();
    }
    await this.indexAttributes([], records.flatMap((r) => attributeIndexRows(r.user.id, r.user.attributes)));
    const credentials = records.flatMap((r) =>
      r.credentials.map((c) => ({
        id: c.id,
        user_id: r.user.id,
        type: c.type,
        user_label: c.userLabel ?? null,
        created_date: c.createdDate,
        secret_data: c.secretData,
        credential_data: c.credentialData,
        priority: c.priority,
      })),
    );
    for (const part of chunks(credentials, INSERT_CHUNK)) await this.db.insertInto('credential').values(part).execute();
    const mappings = records.flatMap((r) => [...new Set(r.roleIds)].map((role_id) => ({ user_id: r.user.id, role_id })));
    for (const part of chunks(mappings, INSERT_CHUNK * 2)) await this.db.insertInto('user_role').values(part).execute();
    await this.addGroupMembers(records.flatMap((r) => [...new Set(r.groupIds ?? [])].map((groupId) => ({ userId: r.user.id, groupId }))));
    const consents = records.flatMap((r) => (r.consents ?? []).map(consentRow));
    for (const part of chunks(consents, INSERT_CHUNK)) await this.db.insertInto('user_consent').values(part).execute();
    const links = records.flatMap((r) => (r.federatedIdentities ?? []).map(brokering.federatedIdentityRow));
    for (const part of chunks(links, INSERT_CHUNK)) await this.db.insertInto('federated_identity').values(part).execute();
  }
  async listUsersPage(realmId: string, afterId: string | undefined, limit: number): Promise<User[]> {
    let q = this.db.selectFrom('app_user').selectAll().where('realm_id', '=', realmId);
    if (afterId !== undefined) q = q.where('id', '>', afterId);
    return (await q.orderBy('id').limit(limit).execute()).map(toUser);
  }
  async listUsersWithRole(roleId: string, first: number, max: number): Promise<User[]> {
    const rows = await this.db
      .selectFrom('app_user')
      .innerJoin('user_role', 'user_role.user_id', 'app_user.id')
      .selectAll('app_user')
      .where('user_role.role_id', '=', roleId)
      .orderBy('app_user.username')
      .offset(first)
      .limit(max)
      .execute();
    return rows.map(toUser);
  }
  async listCredentials(userId: string): Promise<StoredCredential[]> {
    const rows = await this.db.selectFrom('credential').selectAll().where('user_id', '=', userId).orderBy('priority').orderBy('id').execute();
    return rows.map(toStoredCredential);
  }
  async updateCredentialLabel(userId: string, credentialId: string, userLabel: string): Promise<void> {
    await this.db.updateTable('credential').set({ user_label: userLabel }).where('user_id', '=', userId).where('id', '=', credentialId).execute();
  }
  async setCredentialPriorities(userId: string, priorities: Array<{ id: string; priority: number }>): Promise<void> {
    for (const { id, priority } of priorities) await this.db.updateTable('credential').set({ priority }).where('user_id', '=', userId).where('id', '=', id).execute();
  }
  async credentialsOfUsers(userIds: string[]): Promise<Map<string, StoredCredential[]>> {
    return byUser(userIds, async (part) => {
      const rows = await this.db.selectFrom('credential').selectAll().where('user_id', 'in', part).orderBy('priority').orderBy('id').execute();
      return rows.map((row) => [row.user_id, toStoredCredential(row)]);
    });
  }
  async roleIdsOfUsers(userIds: string[]): Promise<Map<string, string[]>> {
    return byUser(userIds, async (part) => {
      const rows = await this.db.selectFrom('user_role').selectAll().where('user_id', 'in', part).execute();
      return rows.map((row) => [row.user_id, row.role_id]);
    });
  }

  async listConsents(userId: string): Promise<UserConsent[]> {
    return (await this.db.selectFrom('user_consent').selectAll().where('user_id', '=', userId).orderBy('created_date').orderBy('client_uuid').execute()).map(toConsent);
  }
  async getConsent(userId: string, clientUuid: string): Promise<UserConsent | undefined> {
    const row = await this.db.selectFrom('user_consent').selectAll().where('user_id', '=', userId).where('client_uuid', '=', clientUuid).executeTakeFirst();
    return row && toConsent(row);
  }
  async putConsent(consent: UserConsent): Promise<void> {
    const row = consentRow(consent);
    await this.db
      .insertInto('user_consent')
      .values(row)
      .onConflict((oc) => oc.columns(['user_id', 'client_uuid']).doUpdateSet({ granted_scopes: row.granted_scopes, last_updated_date: row.last_updated_date }))
      .execute();
  }
  async deleteConsent(userId: string, clientUuid: string): Promise<boolean> {
    const result = await this.db.deleteFrom('user_consent').where('user_id', '=', userId).where('client_uuid', '=', clientUuid).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
  async consentsOfUsers(userIds: string[]): Promise<Map<string, UserConsent[]>> {
    return byUser(userIds, async (part) => {
      const rows = await this.db.selectFrom('user_consent').selectAll().where('user_id', 'in', part).orderBy('created_date').orderBy('client_uuid').execute();
      return rows.map((row) => [row.user_id, toConsent(row)]);
    });
  }

  listIdentityProviders(realmId: string): Promise<IdentityProvider[]> {
    return brokering.listIdentityProviders(this.db, realmId);
  }
  createIdentityProvider(provider: IdentityProvider): Promise<void> {
    return brokering.createIdentityProvider(this.db, provider);
  }
  updateIdentityProvider(provider: IdentityProvider): Promise<void> {
    return brokering.updateIdentityProvider(this.db, provider);
  }
  deleteIdentityProvider(realmId: string, alias: string): Promise<void> {
    return brokering.deleteIdentityProvider(this.db, realmId, alias);
  }
  listIdentityProviderMappers(realmId: string, alias?: string): Promise<IdentityProviderMapper[]> {
    return brokering.listIdentityProviderMappers(this.db, realmId, alias);
  }
  createIdentityProviderMappers(mappers: IdentityProviderMapper[]): Promise<void> {
    return brokering.createIdentityProviderMappers(this.db, mappers);
  }
  updateIdentityProviderMapper(mapper: IdentityProviderMapper): Promise<void> {
    return brokering.updateIdentityProviderMapper(this.db, mapper);
  }
  deleteIdentityProviderMapper(realmId: string, id: string): Promise<boolean> {
    return brokering.deleteIdentityProviderMapper(this.db, realmId, id);
  }
  listFederatedIdentities(userId: string): Promise<FederatedIdentity[]> {
    return brokering.listFederatedIdentities(this.db, [userId]);
  }
  federatedIdentitiesOfUsers(userIds: string[]): Promise<Map<string, FederatedIdentity[]>> {
    return byUser(userIds, async (part) => (await brokering.listFederatedIdentities(this.db, part)).map((link) => [link.userId, link]));
  }
  userIdsLinkedTo(realmId: string, alias: string): Promise<string[]> {
    return brokering.userIdsLinkedTo(this.db, realmId, alias);
  }
  findFederatedIdentity(realmId: string, alias: string, federatedUserId: string): Promise<FederatedIdentity | undefined> {
    return brokering.findFederatedIdentity(this.db, realmId, alias, federatedUserId);
  }
  addFederatedIdentity(link: FederatedIdentity): Promise<boolean> {
    return brokering.addFederatedIdentity(this.db, link);
  }
  updateFederatedIdentityToken(userId: string, alias: string, token: string | undefined): Promise<void> {
    return brokering.updateFederatedIdentityToken(this.db, userId, alias, token);
  }
  removeFederatedIdentity(userId: string, alias: string): Promise<boolean> {
    return brokering.removeFederatedIdentity(this.db, userId, alias);
  }

  async roleIdsOfUser(userId: string): Promise<string[]> {
    return (await this.db.selectFrom('user_role').select('role_id').where('user_id', '=', userId).execute()).map((r) => r.role_id);
  }
  async addUserRoles(userId: string, roleIds: string[]): Promise<void> {
    if (roleIds.length === 0) return;
    await this.db
      .insertInto('user_role')
      .values(roleIds.map((role_id) => ({ user_id: userId, role_id })))
      .onConflict((oc) => oc.columns(['user_id', 'role_id']).doNothing())
      .execute();
  }
  async removeUserRoles(userId: string, roleIds: string[]): Promise<void> {
    if (roleIds.length === 0) return;
    await this.db.deleteFrom('user_role').where('user_id', '=', userId).where('role_id', 'in', roleIds).execute();
  }

  async listGroups(realmId: string): Promise<Group[]> {
    const rows = await this.db.selectFrom('realm_group').selectAll().where('realm_id', '=', realmId).orderBy('name').orderBy('id').execute();
    const mappings = await this.db
      .selectFrom('group_role')
      .innerJoin('realm_group', 'realm_group.id', 'group_role.group_id')
      .select(['group_role.group_id', 'group_role.role_id'])
      .where('realm_group.realm_id', '=', realmId)
      .orderBy('group_role.role_id')
      .execute();
    const roles = new Map<string, string[]>();
    for (const m of mappings) (roles.get(m.group_id) ?? roles.set(m.group_id, []).get(m.group_id)!).push(m.role_id);
    return rows.map((r) => ({
      id: r.id,
      realmId: r.realm_id,
      parentId: r.parent_id === '' ? undefined : r.parent_id,
      name: r.name,
      description: r.description ?? undefined,
      attributes: JSON.parse(r.attributes),
      roleIds: roles.get(r.id) ?? [],
      defaultGroup: r.default_group === 1,
    }));
  }
  async createGroups(groups: Group[]): Promise<void> {
    for (const part of chunks(groups, INSERT_CHUNK)) await this.db.insertInto('realm_group').values(part.map(groupRow)).execute();
    const mappings = groups.flatMap((g) => [...new Set(g.roleIds)].map((role_id) => ({ group_id: g.id, role_id })));
    for (const part of chunks(mappings, INSERT_CHUNK * 2)) await this.db.insertInto('group_role').values(part).execute();
  }
  async updateGroup(group: Group): Promise<void> {
    const { id, ...row } = groupRow(group);
    await this.db.updateTable('realm_group').set(row).where('id', '=', id).execute();
  }
  async deleteGroups(ids: string[]): Promise<void> {
    for (const part of chunks(ids, INSERT_CHUNK)) await this.db.deleteFrom('realm_group').where('id', 'in', part).execute();
  }
  async addGroupRoles(groupId: string, roleIds: string[]): Promise<void> {
    if (roleIds.length === 0) return;
    await this.db
      .insertInto('group_role')
      .values(roleIds.map((role_id) => ({ group_id: groupId, role_id })))
      .onConflict((oc) => oc.columns(['group_id', 'role_id']).doNothing())
      .execute();
  }
  async removeGroupRoles(groupId: string, roleIds: string[]): Promise<void> {
    if (roleIds.length === 0) return;
    await this.db.deleteFrom('group_role').where('group_id', '=', groupId).where('role_id', 'in', roleIds).execute();
  }
  async groupIdsOfUser(userId: string): Promise<string[]> {
    return (await this.db.selectFrom('group_member').select('group_id').where('user_id', '=', userId).execute()).map((r) => r.group_id);
  }
  async groupIdsOfUsers(userIds: string[]): Promise<Map<string, string[]>> {
    return byUser(userIds, async (part) => {
      const rows = await this.db.selectFrom('group_member').selectAll().where('user_id', 'in', part).execute();
      return rows.map((row) => [row.user_id, row.group_id]);
    });
  }
  async addGroupMembers(memberships: GroupMembership[]): Promise<void> {
    for (const part of chunks(memberships, INSERT_CHUNK * 2)) {
      await this.db
        .insertInto('group_member')
        .values(part.map((m) => ({ user_id: m.userId, group_id: m.groupId })))
        .onConflict((oc) => oc.columns(['user_id', 'group_id']).doNothing())
        .execute();
    }
  }
  async removeGroupMember(membership: GroupMembership): Promise<void> {
    await this.db.deleteFrom('group_member').where('user_id', '=', membership.userId).where('group_id', '=', membership.groupId).execute();
  }
  async listGroupMembers(groupId: string, first: number, max: number): Promise<User[]> {
    const rows = await this.db
      .selectFrom('app_user')
      .innerJoin('group_member', 'group_member.user_id', 'app_user.id')
      .selectAll('app_user')
      .where('group_member.group_id', '=', groupId)
      .orderBy('app_user.username')
      .offset(first)
      .limit(max)
      .execute();
    return rows.map(toUser);
  }
  async listClientInitialAccess(realmId: string): Promise<ClientInitialAccess[]> {
    const rows = await this.db.selectFrom('client_initial_access').selectAll().where('realm_id', '=', realmId).orderBy('timestamp').orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      realmId: r.realm_id,
      tokenHash: r.token_hash,
      timestamp: r.timestamp,
      expiration: r.expiration,
      count: r.count,
      remainingCount: r.remaining_count,
    }));
  }
  async createClientInitialAccess(access: ClientInitialAccess): Promise<void> {
    await this.db
      .insertInto('client_initial_access')
      .values({
        id: access.id,
        realm_id: access.realmId,
        token_hash: access.tokenHash,
        timestamp: access.timestamp,
        expiration: access.expiration,
        count: access.count,
        remaining_count: access.remainingCount,
      })
      .execute();
  }
  async deleteClientInitialAccess(realmId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('client_initial_access').where('realm_id', '=', realmId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async localizationTexts(realmId: string): Promise<LocalizationTexts> {
    const rows = await this.db.selectFrom('realm_localization').selectAll().where('realm_id', '=', realmId).orderBy('locale').orderBy('text_key').execute();
    // Built with fromEntries, so that a key such as `__proto__` stays a plain key.
    const byLocale = new Map<string, Array<[string, string]>>();
    for (const row of rows) byLocale.set(row.locale, [...(byLocale.get(row.locale) ?? []), [row.text_key, row.text_value]]);
    return Object.fromEntries([...byLocale].map(([locale, texts]) => [locale, Object.fromEntries(texts)]));
  }
  async putLocalizationTexts(realmId: string, locale: string, texts: Record<string, string>): Promise<void> {
    const rows = Object.entries(texts).map(([key, value]) => ({ realm_id: realmId, locale, text_key: key, text_value: value }));
    for (const part of chunks(rows, INSERT_CHUNK)) {
      await this.db
        .insertInto('realm_localization')
        .values(part)
        .onConflict((oc) => oc.columns(['realm_id', 'locale', 'text_key']).doUpdateSet((eb) => ({ text_value: eb.ref('excluded.text_value') })))
        .execute();
    }
  }
  async deleteLocalizationTexts(realmId: string, locale: string, key?: string): Promise<number> {
    let query = this.db.deleteFrom('realm_localization').where('realm_id', '=', realmId).where('locale', '=', locale);
    if (key !== undefined) query = query.where('text_key', '=', key);
    return Number((await query.executeTakeFirst()).numDeletedRows);
  }

  async lockRealm(realmId: string): Promise<void> {
    // A write that changes nothing: PostgreSQL row-locks it until commit, SQLite has one writer anyway.
    await this.db.updateTable('realm').set((eb) => ({ name: eb.ref('name') })).where('id', '=', realmId).execute();
  }
}

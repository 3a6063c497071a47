/**
 * Realms, clients and users as requests see them: parsed once, held in memory, dropped when the
 * invalidation bus says they changed. A request never re-parses JSON or re-imports a key.
 */
import { LRUCache } from 'lru-cache';
import { importRealmKeys, type RealmKeys } from '../crypto/index.ts';
import type { InvalidationBus } from '../store/cache/index.ts';
import type { CacheObserver } from '../store/cache/index.ts';
import { systemClock, type Clock } from '../clock/index.ts';
import type { RealmRepository } from './realm-repository.ts';
import { clientScopeGrant, clientScopeGrants, type ClientScopeGrant } from './client-scopes.ts';
import { buildClaimPlan, type ClaimPlan } from './protocol-mappers/index.ts';
import { groupRoleIds } from './groups.ts';
import { effectiveRoles, type EffectiveRoles } from './roles.ts';
import { completeRealmKeys } from './realm-keys.ts';
import { indexRealm } from './realm-model.ts';
import type { Client, IdentityProvider, IdentityProviderMapper, RealmModel, User } from './types.ts';

export interface LoadedRealm extends RealmModel {
  keys: RealmKeys;
  /** What each client's scopes grant, by client UUID: resolved at load, not per token request. */
  scopeGrants: Map<string, ClientScopeGrant>;
  /** Claim plans by client UUID and granted scope names, built on first use (claimPlanOf). */
  claimPlans: LRUCache<string, ClaimPlan>;
  /** Identity providers by alias, in `guiOrder` then alias order (the login page's buttons). */
  identityProviders: Map<string, IdentityProvider>;
  identityProviderMappers: IdentityProviderMapper[];
}

/** Plans per loaded realm: every client with a few scope combinations fits; a flood of combinations only evicts. */
const CLAIM_PLANS_PER_REALM = 2000;

/** Keycloak orders login buttons by the `guiOrder` config (numeric; unset last), then alias. */
function sortByGuiOrder(providers: IdentityProvider[]): IdentityProvider[] {
  const order = (p: IdentityProvider): number => {
    const n = Number.parseInt(p.config.guiOrder ?? '', 10);
    return Number.isNaN(n) ? Number.MAX_SAFE_INTEGER : n;
  };
  return [...providers].sort((a, b) => order(a) - order(b) || a.alias.localeCompare(b.alias));
}

/** A client's scope grant from the realm cache. */
export function scopeGrantOf(realm: LoadedRealm, client: Client): ClientScopeGrant {
  return realm.scopeGrants.get(client.id) ?? clientScopeGrant(realm, client);
}

/**
 * The mappers and role limits for a client and the scopes granted to one request, from the realm
 * cache: built once per (client, scope set) and dropped with the loaded realm whenever a client,
 * scope, role or group changes. Names that are not the client's scopes (`openid`) are skipped.
 */
export function claimPlanOf(realm: LoadedRealm, client: Client, scopeNames: Iterable<string>): ClaimPlan {
  const names = [...scopeNames];
  const key = `${client.id} ${names.join(' ')}`;
  let plan = realm.claimPlans.get(key);
  if (!plan) {
    const grant = scopeGrantOf(realm, client);
    const defaults = new Set(grant.defaults.map((s) => s.name));
    const optional = names.flatMap((n) => (defaults.has(n) ? [] : (grant.optional.get(n) ?? [])));
    plan = buildClaimPlan(realm, client, [...grant.defaults, ...optional]);
    realm.claimPlans.set(key, plan);
  }
  return plan;
}

/**
 * A user with the roles their tokens carry: mapped to them, through their groups (and those
 * groups' parents), and through composites of all of these. Computed once per load and cached
 * with the user; membership changes invalidate the user, group changes the realm.
 */
export interface UserView {
  user: User;
  roles: EffectiveRoles;
  /** The groups the user is a direct member of. */
  groupIds: string[];
}

export class RealmService {
  private readonly realms = new Map<string, Promise<LoadedRealm | undefined>>();
  private readonly users: LRUCache<string, UserView>;
  /**
   * Counts user invalidations. A user read that started before a change committed on another
   * node can end after that node's invalidation arrived; it is not cached if the count moved.
   */
  private userGeneration = 0;

  constructor(
    readonly repository: RealmRepository,
    private readonly bus: InvalidationBus,
    cacheSize: number,
    private readonly observer: CacheObserver,
    private readonly clock: Clock = systemClock,
  ) {
    this.users = new LRUCache({ max: cacheSize });
    bus.subscribe((event) => {
      if (event.kind === 'realm' || event.kind === 'all') {
        this.realms.clear();
        this.users.clear();
        this.userGeneration += 1;
      } else if (event.kind === 'user') {
        this.users.delete(event.id);
        this.userGeneration += 1;
      }
    });
  }

  /** The realm by name, or undefined; concurrent first requests share one load. */
  getRealm(name: string): Promise<LoadedRealm | undefined> {
    // Deaf to other nodes' changes (listener cut, failover): a disabled client or rotated key
    // could be served stale, so the store is read and nothing is kept until listening resumes.
    if (!this.bus.listening) return this.load(name);
    let pending = this.realms.get(name);
    if (!pending) {
      const loading: Promise<LoadedRealm | undefined> = this.load(name).then(
        (loaded) => {
          // Unknown names are not remembered, so a flood of made-up realm names cannot fill memory.
          if (!loaded && this.realms.get(name) === loading) this.realms.delete(name);
          return loaded;
        },
        (error: unknown) => {
          // A failed read (database away) is not remembered either: the next request tries again.
          if (this.realms.get(name) === loading) this.realms.delete(name);
          throw error;
        },
      );
      pending = loading;
      this.realms.set(name, pending);
    }
    return pending;
  }

  private async load(name: string): Promise<LoadedRealm | undefined> {
    const realm = await this.repository.findRealmByName(name);
    if (!realm) return undefined;
    const [clients, roles, groups, clientScopes, storedKeys, userProfile, identityProviders, identityProviderMappers] = await Promise.all([
      this.repository.listClients(realm.id),
      this.repository.listRoles(realm.id),
      this.repository.listGroups(realm.id),
      this.repository.listClientScopes(realm.id),
      this.repository.listKeys(realm.id),
      this.repository.getUserProfile(realm.id),
      this.repository.listIdentityProviders(realm.id),
      this.repository.listIdentityProviderMappers(realm.id),
    ]);
    const keys = await completeRealmKeys(this.repository, realm, clients, storedKeys, this.clock.nowMs());
    const model = indexRealm({ realm, clients, roles, groups, clientScopes, userProfile });
    return {
      ...model,
      keys: importRealmKeys(keys, realm.settings.defaultSignatureAlgorithm),
      scopeGrants: clientScopeGrants(model),
      claimPlans: new LRUCache({ max: CLAIM_PLANS_PER_REALM }),
      identityProviders: new Map(sortByGuiOrder(identityProviders).map((p) => [p.alias, p])),
      identityProviderMappers,
    };
  }

  /** Tells every node (this one included) that a realm, its clients, client scopes, roles, groups, user profile or keys changed. */
  realmChanged(realmId: string): Promise<void> {
    return this.bus.publish({ kind: 'realm', id: realmId });
  }

  /** A user's profile, role mappings or group memberships changed. */
  userChanged(userId: string): Promise<void> {
    return this.bus.publish({ kind: 'user', id: userId });
  }

  async getUserView(realm: LoadedRealm, userId: string): Promise<UserView | undefined> {
    // While deaf to other nodes' events, a disabled user or removed role could be served stale.
    const cached = this.bus.listening ? this.users.get(userId) : undefined;
    if (cached && cached.user.realmId === realm.realm.id) {
      this.observer.hit('user');
      return cached;
    }
    this.observer.miss('user');
    const generation = this.userGeneration;
    const user = await this.repository.findUserById(userId);
    if (!user || user.realmId !== realm.realm.id) return undefined;
    const [roleIds, groupIds] = await Promise.all([this.repository.roleIdsOfUser(userId), this.repository.groupIdsOfUser(userId)]);
    const view = { user, roles: effectiveRoles(realm, [...roleIds, ...groupRoleIds(realm, groupIds)]), groupIds };
    if (generation === this.userGeneration && this.bus.listening) this.users.set(userId, view);
    return view;
  }

  /** Login lookup: by username, or by email when the realm allows it and the email is unique. */
  async findUserForLogin(realm: LoadedRealm, login: string): Promise<User | undefined> {
    const byName = await this.repository.findUserByUsername(realm.realm.id, login);
    if (byName) return byName;
    if (!realm.realm.settings.loginWithEmailAllowed || !login.includes('@')) return undefined;
    const byEmail = await this.repository.findUserByEmail(realm.realm.id, login);
    return byEmail.length === 1 ? byEmail[0] : undefined;
  }

  findClient(realm: LoadedRealm, clientId: string): Client | undefined {
    return realm.clientsByClientId.get(clientId);
  }
}

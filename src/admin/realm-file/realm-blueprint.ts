/**
 * Keycloak's defaults for a new realm (keys, built-in client scopes and clients, default roles), taken from the
 * realm factory itself rather than restated here: the factory runs against a recorder instead of
 * the store, and an import then lays the realm file over what it recorded.
 */
import { importRealmKeys, type StoredKey } from '../../crypto/index.ts';
import { createRealm, type Client, type ClientScope, type Realm, type RealmRepository, type RealmSettings, type Role, type ScopeOwner } from '../../realm/index.ts';

export interface RealmBlueprint {
  realm: Realm;
  keys: StoredKey[];
  sealKey: Buffer;
  clientScopes: ClientScope[];
  clients: Client[];
  roles: Role[];
}

/** The store operations the factory uses, each recording what it would have written. */
class Recorder {
  realm: Realm | undefined;
  keys: StoredKey[] = [];
  clientScopes: ClientScope[] = [];
  clients: Client[] = [];
  roles: Role[] = [];
  async createRealm(realm: Realm): Promise<void> {
    this.realm = realm;
  }
  async updateRealm(realm: Realm): Promise<void> {
    this.realm = realm;
  }
  async addKeys(keys: StoredKey[]): Promise<void> {
    this.keys.push(...keys);
  }
  async createClientScopes(scopes: ClientScope[]): Promise<void> {
    this.clientScopes.push(...scopes);
  }
  async createClient(client: Client): Promise<void> {
    this.clients.push(client);
  }
  async createRole(role: Role): Promise<void> {
    this.roles.push(role);
  }
  async addScopeMappings(owner: ScopeOwner, roleIds: string[]): Promise<void> {
    const target = 'client' in owner ? this.clients.find((c) => c.id === owner.client) : this.clientScopes.find((s) => s.id === owner.clientScope);
    if (target) target.scopeMappings = [...new Set([...target.scopeMappings, ...roleIds])];
  }
}

export async function realmBlueprint(name: string, settings: Partial<RealmSettings>, nowSeconds: number): Promise<RealmBlueprint> {
  const recorder = new Recorder();
  // Any other repository method the factory might call one day fails loudly instead of silently.
  const repository = new Proxy(recorder, {
    get(target, property, receiver) {
      if (property in target || typeof property === 'symbol' || property === 'then') return Reflect.get(target, property, receiver);
      throw new Error(`realm blueprint: the realm factory called ${String(property)}(), which the recorder does not support`);
    },
  }) as unknown as RealmRepository;
  const created = await createRealm(repository, name, settings, nowSeconds);
  // The keys must import cleanly now, not at the first login after the import.
  importRealmKeys(recorder.keys);
  return { realm: created.realm, keys: recorder.keys, sealKey: created.sealKey, clientScopes: recorder.clientScopes, clients: recorder.clients, roles: recorder.roles };
}

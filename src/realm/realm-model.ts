/**
 * The in-memory model of a realm, indexed once from what the repository lists: the realm service
 * caches it for requests, and the realm export builds the same model so that what it writes is
 * what requests see.
 */
import type { Client, ClientScope, Group, Realm, RealmModel, Role, StoredUserProfile } from './types.ts';

export interface RealmParts {
  realm: Realm;
  clients: readonly Client[];
  roles: readonly Role[];
  groups: readonly Group[];
  /** In `position` order, as the repository lists them. */
  clientScopes: readonly ClientScope[];
  userProfile?: StoredUserProfile;
}

export function indexRealm({ realm, clients, roles, groups, clientScopes, userProfile }: RealmParts): RealmModel {
  return {
    realm,
    clientsById: new Map(clients.map((c) => [c.id, c])),
    clientsByClientId: new Map(clients.map((c) => [c.clientId, c])),
    rolesById: new Map(roles.map((r) => [r.id, r])),
    groupsById: new Map(groups.map((g) => [g.id, g])),
    clientScopesById: new Map(clientScopes.map((s) => [s.id, s])),
    userProfile,
  };
}

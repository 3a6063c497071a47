/**
 * Finding the user, client, role or group a path names, inside the realm of the path only, with
 * Keycloak's 404 bodies. An id from another realm is "not found", never a way in.
 */
import type { Context } from '../context.ts';
import { adminNotFound } from '../errors/index.ts';
import type { Client, Group, LoadedRealm, Role, User } from '../realm/index.ts';

export async function findUser(ctx: Context, realm: LoadedRealm, id: string): Promise<User> {
  const user = await ctx.realms.repository.findUserById(id);
  if (!user || user.realmId !== realm.realm.id) throw adminNotFound('User not found');
  return user;
}

export function findClient(realm: LoadedRealm, id: string, message = 'Could not find client'): Client {
  const client = realm.clientsById.get(id);
  if (!client) throw adminNotFound(message);
  return client;
}

/** A realm role (no client) or a role of the given client, by name. */
export function findRoleByName(realm: LoadedRealm, name: string, clientUuid?: string): Role | undefined {
  for (const role of realm.rolesById.values()) {
    if (role.name === name && role.clientId === clientUuid) return role;
  }
  return undefined;
}

export function rolesOf(realm: LoadedRealm, clientUuid?: string): Role[] {
  return [...realm.rolesById.values()].filter((r) => r.clientId === clientUuid).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function findGroup(realm: LoadedRealm, id: string, message = 'Could not find group by id'): Group {
  const group = realm.groupsById.get(id);
  if (!group) throw adminNotFound(message);
  return group;
}

/**
 * Effective roles of a user: the roles mapped to them (directly or through groups, see groups.ts)
 * plus, transitively, the roles those composites contain. Split the way tokens carry them: realm roles, and client roles by clientId.
 */
import type { RealmModel } from './types.ts';

export interface EffectiveRoles {
  realmRoles: string[];
  clientRoles: Record<string, string[]>;
}

export function effectiveRoles(model: RealmModel, mappedRoleIds: string[]): EffectiveRoles {
  const seen = new Set<string>();
  const pending = [...mappedRoleIds];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const role = model.rolesById.get(id);
    if (role) pending.push(...role.composites);
  }
  const { realm, client } = roleNames(model, seen);
  return { realmRoles: realm, clientRoles: client };
}

/** Role ids as sorted names: realm roles, and client roles by the owning client's `clientId`. */
export function roleNames(model: RealmModel, roleIds: Iterable<string>): { realm: string[]; client: Record<string, string[]> } {
  const realm: string[] = [];
  const client: Record<string, string[]> = {};
  for (const id of roleIds) {
    const role = model.rolesById.get(id);
    if (!role) continue;
    if (role.clientId === undefined) {
      realm.push(role.name);
      continue;
    }
    const owner = model.clientsById.get(role.clientId);
    if (owner) (client[owner.clientId] ??= []).push(role.name);
  }
  realm.sort();
  for (const names of Object.values(client)) names.sort();
  return { realm, client };
}

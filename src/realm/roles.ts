/**
 * Effective roles of a user: the roles mapped to them plus, transitively, the roles those
 * composites contain. Split the way tokens carry them: realm roles, and client roles by clientId.
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
  const realmRoles: string[] = [];
  const clientRoles: Record<string, string[]> = {};
  for (const id of seen) {
    const role = model.rolesById.get(id);
    if (!role) continue;
    if (role.clientId === undefined) {
      realmRoles.push(role.name);
      continue;
    }
    const client = model.clientsById.get(role.clientId);
    if (!client) continue;
    (clientRoles[client.clientId] ??= []).push(role.name);
  }
  realmRoles.sort();
  for (const names of Object.values(clientRoles)) names.sort();
  return { realmRoles, clientRoles };
}

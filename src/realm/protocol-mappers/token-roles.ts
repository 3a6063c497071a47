/**
 * Role strings as Keycloak's mappers name roles: `role` for a realm role, `clientId.role` for a
 * client role, where the client id itself may contain dots (every split is tried, then the whole
 * string as a realm role: KeycloakModelUtils.getRoleFromString). And the token's role view a
 * role mapper edits.
 */
import type { EffectiveRoles } from '../roles.ts';
import type { RealmModel, Role } from '../types.ts';

export function roleFromString(model: RealmModel, text: string | undefined): Role | undefined {
  if (text === undefined || text === '') return undefined;
  for (let dot = text.indexOf('.'); dot >= 0; dot = text.indexOf('.', dot + 1)) {
    const clientId = text.slice(0, dot);
    const name = text.slice(dot + 1);
    const client = [...model.clientsById.values()].find((c) => c.clientId === clientId);
    if (client) return [...model.rolesById.values()].find((r) => r.clientId === client.id && r.name === name);
  }
  return [...model.rolesById.values()].find((r) => r.clientId === undefined && r.name === text);
}

/** Where a role sits in a token: its client's clientId (undefined: realm role) and name. */
export interface RoleSlot {
  clientId?: string;
  name: string;
}

export function slotOf(model: RealmModel, role: Role): RoleSlot {
  return role.clientId === undefined ? { name: role.name } : { clientId: model.clientsById.get(role.clientId)?.clientId, name: role.name };
}

function namesAt(roles: EffectiveRoles, slot: RoleSlot, create: boolean): string[] | undefined {
  if (slot.clientId === undefined) return roles.realmRoles;
  const existing = roles.clientRoles[slot.clientId];
  if (existing || !create) return existing;
  const created: string[] = [];
  roles.clientRoles[slot.clientId] = created;
  return created;
}

export function hasRole(roles: EffectiveRoles, slot: RoleSlot): boolean {
  return namesAt(roles, slot, false)?.includes(slot.name) ?? false;
}

export function addRole(roles: EffectiveRoles, slot: RoleSlot): void {
  const names = namesAt(roles, slot, true)!;
  if (!names.includes(slot.name)) names.push(slot.name);
}

export function removeRole(roles: EffectiveRoles, slot: RoleSlot): void {
  const names = namesAt(roles, slot, false);
  const at = names?.indexOf(slot.name) ?? -1;
  if (names && at >= 0) names.splice(at, 1);
  if (slot.clientId !== undefined && names?.length === 0) delete roles.clientRoles[slot.clientId];
}

/** A copy a role mapper may edit without touching the cached user. */
export function copyRoles(roles: EffectiveRoles): EffectiveRoles {
  return { realmRoles: [...roles.realmRoles], clientRoles: Object.fromEntries(Object.entries(roles.clientRoles).map(([k, v]) => [k, [...v]])) };
}

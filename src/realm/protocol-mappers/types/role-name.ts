/**
 * `oidc-role-name-mapper`: a role the token carries (`role`) appears under another name
 * (`new.role.name`: `name` for a realm role, `clientId.name` for a client role, split at the
 * first dot as Keycloak does).
 */
import { addRole, hasRole, removeRole, roleFromString, slotOf, type RoleSlot } from '../token-roles.ts';
import type { MapperType } from '../mapper-type.ts';
import type { RealmModel, Role } from '../../types.ts';

function newSlot(name: string | undefined): RoleSlot | undefined {
  if (name === undefined || name === '') return undefined;
  const dot = name.indexOf('.');
  return dot < 0 ? { name } : { clientId: name.slice(0, dot), name: name.slice(dot + 1) };
}

/** The existing role the new name stands for in a token, if any: what a reader of the token will take it as. */
function impersonated(model: RealmModel, slot: RoleSlot): Role | undefined {
  const client = slot.clientId === undefined ? undefined : [...model.clientsById.values()].find((c) => c.clientId === slot.clientId);
  if (slot.clientId !== undefined && !client) return undefined;
  return [...model.rolesById.values()].find((r) => r.clientId === client?.id && r.name === slot.name);
}

export const roleNameMapper: MapperType = {
  providerId: 'oidc-role-name-mapper',
  priority: 10,
  kinds: [],
  compile(config, model) {
    const role = roleFromString(model, config.role);
    const to = newSlot(config['new.role.name']);
    if (!role || !to) return {};
    const from = slotOf(model, role);
    return {
      roles: (roles) => {
        if (!hasRole(roles, from)) return;
        removeRole(roles, from);
        addRole(roles, to);
      },
    };
  },
  grantedRoles(config, model) {
    const to = newSlot(config['new.role.name']);
    const role = to && impersonated(model, to);
    return role ? [role] : [];
  },
};

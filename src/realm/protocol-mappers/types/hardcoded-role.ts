/** `oidc-hardcoded-role-mapper`: the role in `role` (`name` or `clientId.name`) is in every token, whatever the user holds. */
import { roleFromString, addRole, slotOf } from '../token-roles.ts';
import type { MapperType } from '../mapper-type.ts';

export const hardcodedRoleMapper: MapperType = {
  providerId: 'oidc-hardcoded-role-mapper',
  priority: 20,
  kinds: [],
  compile(config, model) {
    const role = roleFromString(model, config.role);
    if (!role) return {};
    const slot = slotOf(model, role);
    return { roles: (roles) => addRole(roles, slot) };
  },
  grantedRoles(config, model) {
    const role = roleFromString(model, config.role);
    return role ? [role] : [];
  },
};

/**
 * `oidc-usermodel-realm-role-mapper`: the token's realm roles (after scope limits and role
 * mappers), each with `usermodel.realmRoleMapping.rolePrefix`; Keycloak's `roles` scope writes
 * them to `realm_access.roles`.
 */
import { claimWriter } from '../claim-writer.ts';
import { ALL_KINDS, type MapperType } from '../mapper-type.ts';

export const realmRolesMapper: MapperType = {
  providerId: 'oidc-usermodel-realm-role-mapper',
  priority: 40,
  kinds: ALL_KINDS,
  compile(config) {
    const prefix = config['usermodel.realmRoleMapping.rolePrefix'] ?? '';
    return claimWriter(config, ({ roles }) => (prefix === '' ? roles.realmRoles : roles.realmRoles.map((r) => prefix + r)));
  },
};

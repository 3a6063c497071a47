/**
 * `oidc-usermodel-client-role-mapper`: the token's client roles, of one client
 * (`usermodel.clientRoleMapping.clientId`) or of every client, each with
 * `usermodel.clientRoleMapping.rolePrefix`. `${client_id}` in the claim name is each role's
 * client (Keycloak's `roles` scope: `resource_access.${client_id}.roles`), a client id with dots
 * staying one key; without it the roles of all clients land in one claim.
 */
import { jsonTypeOf, setClaim, splitClaimPath } from '../claim-path.ts';
import { configFlag } from '../mapper-model.ts';
import { ALL_KINDS, type MapperType } from '../mapper-type.ts';

const PLACEHOLDER = '${client_id}';

export const clientRolesMapper: MapperType = {
  providerId: 'oidc-usermodel-client-role-mapper',
  priority: 40,
  kinds: ALL_KINDS,
  compile(config) {
    const name = config['claim.name'] ?? '';
    const only = config['usermodel.clientRoleMapping.clientId'] || undefined;
    const prefix = config['usermodel.clientRoleMapping.rolePrefix'] ?? '';
    const type = jsonTypeOf(config['jsonType.label']);
    const multivalued = configFlag(config, 'multivalued');
    // Split before the client id goes in, so that a client id with dots stays one key.
    const template = splitClaimPath(name);
    const perClient = name.includes(PLACEHOLDER);
    if (template.length === 0) return {};
    return {
      write: ({ roles }, out) => {
        for (const [clientId, names] of Object.entries(roles.clientRoles)) {
          if (only !== undefined && clientId !== only) continue;
          const values = prefix === '' ? names : names.map((r) => prefix + r);
          setClaim(out.claims, perClient ? template.map((part) => part.replaceAll(PLACEHOLDER, clientId)) : template, values, type, multivalued);
        }
      },
    };
  },
};

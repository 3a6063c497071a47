/**
 * `oidc-organization-membership-mapper` (the built-in `organization` scope): the organizations
 * the user belongs to. holdfast has no organizations (Keycloak's are off unless a realm enables
 * them), so no user belongs to one and the claim is never written, as in such a Keycloak realm.
 */
import { ALL_KINDS, type MapperType } from '../mapper-type.ts';

export const organizationMapper: MapperType = {
  providerId: 'oidc-organization-membership-mapper',
  priority: 0,
  kinds: ALL_KINDS,
  compile() {
    return {};
  },
};

/**
 * The whole RealmRepresentation as `POST /admin/realms` and realm files carry it
 * (keycloak-compat.md §9): settings, client scopes, clients, roles, groups, users. Parts of
 * Keycloak's format that holdfast does not model (flows, components, …) are accepted and ignored; the
 * ones whose loss changes who can log in (identity providers) are reported as warnings.
 */
import { list, object, present, record, string, stringList, type Checked } from '../json-shape.ts';
import { clientRepresentation } from '../representations/client.ts';
import { clientScopeRepresentation } from '../representations/client-scope.ts';
import { groupRepresentation } from '../representations/group.ts';
import { realmSettingChecks } from '../representations/realm.ts';
import { roleRepresentation } from '../representations/role.ts';
import { userRepresentation } from '../representations/user.ts';
import { clientScopeMappingsShape, scopeMappingsShape } from './plan-scope-mappings.ts';

export const realmFileRepresentation = object({
  ...realmSettingChecks,
  id: string,
  realm: string,
  defaultRole: roleRepresentation,
  // Before Keycloak 13 the default roles were a list of realm role names.
  defaultRoles: stringList,
  roles: object({ realm: list(roleRepresentation), client: record(list(roleRepresentation)) }),
  clients: list(clientRepresentation),
  clientScopes: list(clientScopeRepresentation),
  defaultDefaultClientScopes: stringList,
  defaultOptionalClientScopes: stringList,
  scopeMappings: scopeMappingsShape,
  clientScopeMappings: clientScopeMappingsShape,
  users: list(userRepresentation),
  groups: list(groupRepresentation),
  // Paths of the groups every new user joins.
  defaultGroups: stringList,
  // Not modelled: their presence only turns into a warning (see unsupportedParts).
  identityProviders: list(present),
});
export type RealmFileRepresentation = Checked<typeof realmFileRepresentation>;

/** What an import drops that matters to logins or roles, in words for the person importing. */
export function unsupportedParts(rep: RealmFileRepresentation): string[] {
  const warnings: string[] = [];
  if ((rep.identityProviders ?? []).length > 0) warnings.push(`identity providers are not supported: ${rep.identityProviders!.length} were not imported`);
  return warnings;
}

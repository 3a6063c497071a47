/**
 * The whole RealmRepresentation as `POST /admin/realms` and realm files carry it
 * (keycloak-compat.md §9): settings, clients, roles, users. Parts of Keycloak's format that
 * holdfast does not model (client scopes, flows, components, …) are accepted and ignored; the
 * ones whose loss changes who can log in or with which roles (groups, identity providers) are
 * reported as warnings.
 */
import { list, object, present, record, string, stringList, type Checked } from '../json-shape.ts';
import { clientRepresentation } from '../representations/client.ts';
import { realmSettingChecks } from '../representations/realm.ts';
import { roleRepresentation } from '../representations/role.ts';
import { userRepresentation } from '../representations/user.ts';

export const realmFileRepresentation = object({
  ...realmSettingChecks,
  id: string,
  realm: string,
  defaultRole: roleRepresentation,
  // Before Keycloak 13 the default roles were a list of realm role names.
  defaultRoles: stringList,
  roles: object({ realm: list(roleRepresentation), client: record(list(roleRepresentation)) }),
  clients: list(clientRepresentation),
  users: list(userRepresentation),
  // Not modelled: their presence only turns into a warning (see unsupportedParts).
  groups: list(present),
  identityProviders: list(present),
});
export type RealmFileRepresentation = Checked<typeof realmFileRepresentation>;

/** What an import drops that matters to logins or roles, in words for the person importing. */
export function unsupportedParts(rep: RealmFileRepresentation): string[] {
  const warnings: string[] = [];
  const usersInGroups = (rep.users ?? []).filter((u) => (u.groups ?? []).length > 0).length;
  if ((rep.groups ?? []).length > 0 || usersInGroups > 0) {
    const groups = (rep.groups ?? []).length;
    warnings.push(`groups are not supported: ${groups} group(s) and the memberships of ${usersInGroups} user(s) were not imported, nor the roles they granted`);
  }
  if ((rep.identityProviders ?? []).length > 0) warnings.push(`identity providers are not supported: ${rep.identityProviders!.length} were not imported`);
  return warnings;
}

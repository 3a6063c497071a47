/**
 * The whole RealmRepresentation as `POST /admin/realms` and realm files carry it
 * (keycloak-compat.md §9): settings, clients, roles, users. Parts of Keycloak's format that
 * holdfast does not model (client scopes, flows, components, groups, …) are accepted and ignored.
 */
import { list, object, record, string, stringList, type Checked } from '../json-shape.ts';
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
});
export type RealmFileRepresentation = Checked<typeof realmFileRepresentation>;

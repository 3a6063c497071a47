/**
 * The whole RealmRepresentation as `POST /admin/realms` and realm files carry it
 * (keycloak-compat.md §9): settings, client scopes, clients, roles, groups, users. What else
 * Keycloak's format carries (flows, components, identity providers, …) is judged by lossy-parts.
 */
import { list, object, record, string, stringList, type Checked } from '../json-shape.ts';
import { clientRepresentation } from '../representations/client.ts';
import { clientScopeRepresentation } from '../representations/client-scope.ts';
import { componentRepresentation, KEY_PROVIDER_TYPE } from '../components/key-providers.ts';
import { groupRepresentation } from '../representations/group.ts';
import { localizationTexts } from '../representations/localization.ts';
import { realmSettingChecks } from '../representations/realm.ts';
import { requiredActionRepresentation } from '../representations/required-action.ts';
import { roleRepresentation } from '../representations/role.ts';
import { userFileRepresentation } from '../representations/user.ts';
import { identityProviderMapperRepresentation, identityProviderRepresentation } from '../representations/identity-provider.ts';
import { USER_PROFILE_PROVIDER_TYPE, userProfileComponents } from './plan-user-profile.ts';
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
  users: list(userFileRepresentation),
  groups: list(groupRepresentation),
  // Paths of the groups every new user joins.
  defaultGroups: stringList,
  localizationTexts,
  // Of Keycloak's components, the user profile (plan-user-profile.ts) and key providers
  // (plan-key-components.ts) are planned; lossy-parts judges the rest on the original file.
  components: object({ [USER_PROFILE_PROVIDER_TYPE]: userProfileComponents, [KEY_PROVIDER_TYPE]: list(componentRepresentation) }),
  requiredActions: list(requiredActionRepresentation),
  identityProviders: list(identityProviderRepresentation),
  identityProviderMappers: list(identityProviderMapperRepresentation),
});
export type RealmFileRepresentation = Checked<typeof realmFileRepresentation>;

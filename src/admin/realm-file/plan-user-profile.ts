/**
 * A realm file's user profile, which Keycloak carries as a component: providerType
 * `org.keycloak.userprofile.UserProfileProvider`, providerId `declarative-user-profile`, the
 * UPConfig as a JSON string in `config["kc.user.profile.config"][0]`. It is checked as the admin
 * API checks a PUT, and a bad one fails the import with its JSON path.
 *
 * A file without one whose users carry attributes the default profile does not declare comes
 * from a Keycloak older than 24, whose realms showed every attribute (Keycloak's own upgrade to 24
 * then sets `unmanagedAttributePolicy` ENABLED). Such a realm gets that profile here too, with a
 * warning saying so, rather than attributes that silently vanish from the admin API.
 */
import { newId } from '../../crypto/index.ts';
import { defaultUserProfile, InvalidConfig, isRootAttribute, parseUpConfig, UnreadableConfig, type StoredUserProfile } from '../../realm/index.ts';
import { field, index, list, multiValuedMap, object, ShapeError, string, type Check, type Checked } from '../json-shape.ts';

export const USER_PROFILE_PROVIDER_TYPE = 'org.keycloak.userprofile.UserProfileProvider';
export const USER_PROFILE_PROVIDER_ID = 'declarative-user-profile';
export const USER_PROFILE_CONFIG_KEY = 'kc.user.profile.config';

/** Keycloak writes `subComponents: {}`; whatever it holds says nothing about the profile. */
const anything: Check<unknown> = (value) => value;

export const userProfileComponents = list(object({ id: string, name: string, providerId: string, subType: string, subComponents: anything, config: multiValuedMap }));

export interface PlannedUserProfile {
  profile?: StoredUserProfile;
  warnings: string[];
}

function readConfig(text: string, path: string) {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ShapeError(path, 'not valid JSON');
  }
  try {
    return parseUpConfig(json);
  } catch (error) {
    if (error instanceof UnreadableConfig || error instanceof InvalidConfig) throw new ShapeError(path, error.message);
    throw error;
  }
}

export function planUserProfile(
  realmName: string,
  components: Checked<typeof userProfileComponents> | undefined,
  users: Array<{ attributes?: Record<string, string[]> }>,
): PlannedUserProfile {
  const path = field('components', USER_PROFILE_PROVIDER_TYPE);
  if (components !== undefined && components.length > 1) throw new ShapeError(path, 'a realm has one user profile component');
  const component = components?.[0];
  if (component) {
    const at = index(path, 0);
    if (component.providerId !== USER_PROFILE_PROVIDER_ID) throw new ShapeError(field(at, 'providerId'), `expected '${USER_PROFILE_PROVIDER_ID}'`);
    const text = component.config?.[USER_PROFILE_CONFIG_KEY]?.[0];
    const config = text === undefined ? defaultUserProfile(realmName) : readConfig(text, index(field(field(at, 'config'), USER_PROFILE_CONFIG_KEY), 0));
    return { profile: { componentId: component.id ?? newId(), config }, warnings: [] };
  }
  const undeclared = users.some((u) => Object.keys(u.attributes ?? {}).some((name) => !isRootAttribute(name)));
  if (!undeclared) return { warnings: [] };
  return {
    profile: { componentId: newId(), config: { ...defaultUserProfile(realmName), unmanagedAttributePolicy: 'ENABLED' } },
    warnings: [
      `users have attributes but the file has no user profile (${USER_PROFILE_PROVIDER_TYPE} component): the realm gets Keycloak's default profile with unmanagedAttributePolicy ENABLED, so they stay visible and editable`,
    ],
  };
}

/** The realm-file form of a stored profile, as Keycloak exports it. */
export function toUserProfileComponent(profile: StoredUserProfile): Record<string, unknown> {
  return { id: profile.componentId, providerId: USER_PROFILE_PROVIDER_ID, subComponents: {}, config: { [USER_PROFILE_CONFIG_KEY]: [JSON.stringify(profile.config)] } };
}

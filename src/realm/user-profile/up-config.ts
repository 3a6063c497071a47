/**
 * Keycloak's declarative user profile configuration (UPConfig): which attributes a user has, who
 * may see and edit each, what each must satisfy, and what happens to attributes the profile does
 * not name (`unmanagedAttributePolicy`). A realm without a stored configuration has Keycloak 26's
 * default, which differs in `master` (email and names are not required there, so the bootstrap
 * admin needs none).
 */

export type UnmanagedAttributePolicy = 'ENABLED' | 'ADMIN_VIEW' | 'ADMIN_EDIT';

export interface UPAttribute {
  name: string;
  displayName?: string;
  /** Validator id → its configuration. */
  validations?: Record<string, Record<string, unknown>>;
  annotations?: Record<string, unknown>;
  /** Required for these roles (`admin`, `user`) or when these scopes are requested; `{}` means always. */
  required?: { roles?: string[]; scopes?: string[] };
  permissions?: { view?: string[]; edit?: string[] };
  /** The attribute exists only when one of these scopes is requested. */
  selector?: { scopes?: string[] };
  multivalued?: boolean;
  group?: string;
  defaultValue?: string;
}

export interface UPGroup {
  name: string;
  displayHeader?: string;
  displayDescription?: string;
  annotations?: Record<string, unknown>;
}

export interface UPConfig {
  attributes: UPAttribute[];
  groups?: UPGroup[];
  unmanagedAttributePolicy?: UnmanagedAttributePolicy;
}

/** The longest attribute name Keycloak's store (and holdfast's search index) holds. */
export const MAX_ATTRIBUTE_NAME = 255;

/** The attributes stored as columns of the user rather than in its attribute map. */
export const ROOT_ATTRIBUTES = ['username', 'email', 'firstName', 'lastName'] as const;
export type RootAttribute = (typeof ROOT_ATTRIBUTES)[number];
export const isRootAttribute = (name: string): name is RootAttribute => (ROOT_ATTRIBUTES as readonly string[]).includes(name);

const EVERYONE = { view: ['admin', 'user'], edit: ['admin', 'user'] };

/** Keycloak 26's default profile of a new realm (what `GET /users/profile` answers before any PUT). */
export function defaultUserProfile(realmName: string): UPConfig {
  const required = realmName === 'master' ? {} : { required: { roles: ['user'] } };
  const name = (attribute: 'firstName' | 'lastName'): UPAttribute => ({
    name: attribute,
    displayName: `\${${attribute}}`,
    validations: { length: { max: 255 }, 'person-name-prohibited-characters': {} },
    ...required,
    permissions: EVERYONE,
    multivalued: false,
  });
  return structuredClone({
    attributes: [
      {
        name: 'username',
        displayName: '${username}',
        validations: { length: { min: 3, max: 255 }, 'username-prohibited-characters': {}, 'up-username-not-idn-homograph': {} },
        permissions: EVERYONE,
        multivalued: false,
      },
      { name: 'email', displayName: '${email}', validations: { email: {}, length: { max: 255 } }, ...required, permissions: EVERYONE, multivalued: false },
      name('firstName'),
      name('lastName'),
    ],
    groups: [{ name: 'user-metadata', displayHeader: 'User metadata', displayDescription: 'Attributes, which refer to user metadata' }],
  });
}

/** The profile a realm's users are checked against: the stored one, else Keycloak's default. */
export function userProfileOf(model: { realm: { name: string }; userProfile?: { config: UPConfig } }): UPConfig {
  return model.userProfile?.config ?? defaultUserProfile(model.realm.name);
}

/**
 * The profile users are checked and shown against: the realm's, plus Keycloak's implicit `locale`
 * attribute while the realm has internationalization on (the language picked on the login pages
 * is kept there; admins and users may change it).
 */
export function effectiveUserProfile(model: { realm: { name: string; settings?: { internationalizationEnabled?: boolean } }; userProfile?: { config: UPConfig } }): UPConfig {
  const config = userProfileOf(model);
  if (!model.realm.settings?.internationalizationEnabled || config.attributes.some((a) => a.name === 'locale')) return config;
  const locale: UPAttribute = { name: 'locale', displayName: '${locale}', permissions: { view: ['admin', 'user'], edit: ['admin', 'user'] }, multivalued: false };
  return { ...config, attributes: [...config.attributes, locale] };
}

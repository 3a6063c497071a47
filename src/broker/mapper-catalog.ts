/**
 * The identity-provider mapper types holdfast runs, with the ids, categories and property names
 * of Keycloak's (so realm exports and the admin console's forms carry over). Help texts are ours.
 */
export interface MapperProperty {
  name: string;
  label: string;
  helpText: string;
  type: string;
  defaultValue?: string;
}

export interface MapperType {
  id: string;
  name: string;
  category: string;
  helpText: string;
  properties: MapperProperty[];
  /** Reads claims of an ID token or user info, so only OpenID Connect providers offer it. */
  claimsBased: boolean;
}

const prop = (name: string, label: string, type: string, helpText: string, defaultValue?: string): MapperProperty => ({ name, label, helpText, type, ...(defaultValue === undefined ? {} : { defaultValue }) });

const CLAIMS = prop('claims', 'Claims', 'Map', 'Claims (name and value) that must all be present; nested claims are written with dots, a literal dot as \\.');
const REGEX = prop('are.claim.values.regex', 'Regex Claim Values', 'boolean', 'Compare claim values as regular expressions.');

export const MAPPER_TYPES: readonly MapperType[] = [
  { id: 'oidc-advanced-group-idp-mapper', name: 'Advanced Claim to Group', category: 'Group Importer', helpText: 'Adds the user to a group when all the given claims are present.', properties: [CLAIMS, REGEX, prop('group', 'Group', 'Group', 'The group to join.')], claimsBased: true },
  { id: 'hardcoded-user-session-attribute-idp-mapper', name: 'Hardcoded User Session Attribute', category: 'Attribute Importer', helpText: 'Sets a fixed note on the user session of every brokered login.', properties: [prop('attribute', 'User Session Attribute', 'String', 'Name of the session note.'), prop('attribute.value', 'User Session Attribute Value', 'String', 'Its value.')], claimsBased: false },
  { id: 'oidc-user-attribute-idp-mapper', name: 'Attribute Importer', category: 'Attribute Importer', helpText: 'Copies a claim of the ID token, access token or user info into a user attribute (email, firstName and lastName are the profile fields).', properties: [prop('claim', 'Claim', 'String', 'The claim; nested claims are written with dots, a literal dot as \\.'), prop('user.attribute', 'User Attribute Name', 'UserProfileAttributeList', 'The attribute that receives it.'), prop('allow.nullable.property', 'Allow Nullable Property', 'boolean', 'Clear the attribute when the claim is empty.', 'false')], claimsBased: true },
  { id: 'oidc-advanced-role-idp-mapper', name: 'Advanced Claim to Role', category: 'Role Importer', helpText: 'Grants a role when all the given claims are present.', properties: [CLAIMS, REGEX, prop('role', 'Role', 'Role', 'The role to grant (client roles as clientId.role).')], claimsBased: true },
  { id: 'oidc-hardcoded-role-idp-mapper', name: 'Hardcoded Role', category: 'Role Importer', helpText: 'Grants a role to every user who logs in through this provider.', properties: [prop('role', 'Role', 'Role', 'The role to grant (client roles as clientId.role).')], claimsBased: false },
  { id: 'oidc-hardcoded-group-idp-mapper', name: 'Hardcoded Group', category: 'Group Importer', helpText: 'Adds every user who logs in through this provider to a group.', properties: [prop('group', 'Group', 'Group', 'The group to join.')], claimsBased: false },
  { id: 'oidc-user-session-note-idp-mapper', name: 'User Session Note Mapper', category: 'User Session', helpText: 'Copies the given claims into notes of the user session.', properties: [CLAIMS, REGEX], claimsBased: true },
  { id: 'oidc-role-idp-mapper', name: 'Claim to Role', category: 'Role Importer', helpText: 'Grants a role when a claim has a given value.', properties: [prop('claim', 'Claim', 'String', 'The claim; nested claims are written with dots.'), prop('claim.value', 'Claim Value', 'String', 'The value it must have.'), prop('role', 'Role', 'Role', 'The role to grant (client roles as clientId.role).')], claimsBased: true },
  { id: 'hardcoded-attribute-idp-mapper', name: 'Hardcoded Attribute', category: 'Attribute Importer', helpText: 'Sets a fixed user attribute on every user who logs in through this provider.', properties: [prop('attribute', 'User Attribute', 'UserProfileAttributeList', 'The attribute to set.'), prop('attribute.value', 'User Attribute Value', 'String', 'Its value.')], claimsBased: false },
  { id: 'oidc-username-idp-mapper', name: 'Username Template Importer', category: 'Preprocessor', helpText: 'Builds the local username from a template: ${ALIAS} is the provider alias, ${CLAIM.name} a claim; | lowercase and | uppercase transform.', properties: [prop('template', 'Template', 'String', 'The template.', '${ALIAS}.${CLAIM.preferred_username}'), prop('target', 'Target', 'List', 'LOCAL (the username), BROKER_ID or BROKER_USERNAME.', 'LOCAL')], claimsBased: true },
];

export const MAPPER_TYPES_BY_ID: ReadonlyMap<string, MapperType> = new Map(MAPPER_TYPES.map((t) => [t.id, t]));

/** Keycloak's mapper sync modes: INHERIT takes the provider's `syncMode`. */
export const MAPPER_SYNC_MODES = ['INHERIT', 'IMPORT', 'LEGACY', 'FORCE'] as const;
export const PROVIDER_SYNC_MODES = ['IMPORT', 'LEGACY', 'FORCE'] as const;

/** The mapper types a provider of this kind offers. */
export function mapperTypesFor(openIdConnect: boolean): MapperType[] {
  return MAPPER_TYPES.filter((t) => openIdConnect || !t.claimsBased);
}

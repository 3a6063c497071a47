/**
 * The configurable properties of each mapper type holdfast applies, as `/admin/serverinfo` lists
 * them under `protocolMapperTypes[*].properties` (Keycloak's ConfigPropertyRepresentation). The
 * admin console builds its mapper form from them, so the names, types, defaults and options are
 * the config keys the mapper types in src/realm/protocol-mappers read; the token toggles follow
 * the token kinds each type can write to. Labels and help texts are holdfast's own words.
 */
import type { TokenKind } from '../../realm/protocol-mappers/mapper-model.ts';
import type { ConfigProperty } from './mapper-types.ts';

function property(name: string, label: string, helpText: string, type: string, extra: Partial<ConfigProperty> = {}): ConfigProperty {
  return { name, label, helpText, type, secret: false, required: false, readOnly: false, ...extra };
}

const JSON_TYPES = ['String', 'long', 'int', 'boolean', 'JSON'];

const claimName = property('claim.name', 'Token Claim Name', 'Name of the claim in the token; dots nest it (a.b puts b inside object a), a backslash keeps a dot literal.', 'String', { required: true });
const jsonType = property('jsonType.label', 'Claim JSON Type', 'The JSON type the claim value is written as.', 'List', { options: JSON_TYPES });
const multivalued = (defaultValue?: string) => property('multivalued', 'Multivalued', 'Write the claim as an array even when there is one value.', 'boolean', defaultValue === undefined ? {} : { defaultValue });

/** The "add to … token" switches, in Keycloak's order, for the token kinds a type writes to. */
const TOKEN_SWITCHES: Array<{ kind: TokenKind; property: ConfigProperty }> = [
  { kind: 'id', property: property('id.token.claim', 'Add to ID token', 'Whether the claim goes into the ID token.', 'boolean', { defaultValue: 'true' }) },
  { kind: 'access', property: property('access.token.claim', 'Add to access token', 'Whether the claim goes into the access token.', 'boolean', { defaultValue: 'true' }) },
  { kind: 'lightweight', property: property('lightweight.claim', 'Add to lightweight access token', 'Whether the claim also goes into a lightweight access token.', 'boolean', { defaultValue: 'false' }) },
  { kind: 'userinfo', property: property('userinfo.token.claim', 'Add to userinfo', 'Whether the claim is returned by the userinfo endpoint.', 'boolean', { defaultValue: 'true' }) },
  { kind: 'response', property: property('access.tokenResponse.claim', 'Add to access token response', 'Whether the claim is added to the token endpoint response next to the tokens.', 'boolean', { defaultValue: 'false' }) },
  { kind: 'introspection', property: property('introspection.token.claim', 'Add to token introspection', 'Whether the claim is returned by token introspection.', 'boolean', { defaultValue: 'true' }) },
];

function tokenSwitches(kinds: readonly TokenKind[], defaults: Record<string, string> = {}): ConfigProperty[] {
  return TOKEN_SWITCHES.filter((s) => kinds.includes(s.kind)).map((s) => (defaults[s.property.name] ? { ...s.property, defaultValue: defaults[s.property.name] } : s.property));
}

const clientList = (name: string, label: string, helpText: string) => property(name, label, helpText, 'ClientList');
const role = property('role', 'Role', 'The role, as a realm role name or clientId.roleName.', 'Role');
const addressPart = (part: string) => property(`user.attribute.${part}`, `User attribute for ${part.replace('_', ' ')}`, `The user attribute holding the address's ${part.replace('_', ' ')}.`, 'String', { defaultValue: part });

/** Properties before the token switches, by providerId. */
const OWN: Record<string, ConfigProperty[]> = {
  'oidc-usermodel-attribute-mapper': [
    property('user.attribute', 'User Attribute', 'The user attribute whose values the claim carries.', 'UserProfileAttributeList'),
    claimName,
    jsonType,
  ],
  'oidc-usermodel-property-mapper': [property('user.attribute', 'Property', 'The user property (username, email, firstName, …) the claim carries.', 'String'), claimName, jsonType],
  'oidc-group-membership-mapper': [claimName, property('full.path', 'Full group path', 'Write groups as their full path (/parent/child) instead of their name.', 'boolean', { defaultValue: 'true' })],
  'oidc-usermodel-realm-role-mapper': [
    property('usermodel.realmRoleMapping.rolePrefix', 'Realm Role prefix', 'Text put before each role name.', 'String'),
    multivalued('true'),
    claimName,
    jsonType,
  ],
  'oidc-usermodel-client-role-mapper': [
    clientList('usermodel.clientRoleMapping.clientId', 'Client ID', 'The client whose roles the claim lists; empty for every client.'),
    property('usermodel.clientRoleMapping.rolePrefix', 'Client Role prefix', 'Text put before each role name.', 'String'),
    multivalued('true'),
    claimName,
    jsonType,
  ],
  'oidc-audience-mapper': [
    clientList('included.client.audience', 'Included Client Audience', 'A client ID to add to the audience.'),
    property('included.custom.audience', 'Included Custom Audience', 'Any other audience value; used when no client audience is set.', 'String'),
  ],
  'oidc-hardcoded-claim-mapper': [claimName, property('claim.value', 'Claim value', 'The fixed value of the claim.', 'String'), jsonType],
  'oidc-hardcoded-role-mapper': [role],
  'oidc-role-name-mapper': [role, property('new.role.name', 'New Role Name', 'The name the role takes in the token, as a realm role name or clientId.roleName.', 'String')],
  'oidc-usersessionmodel-note-mapper': [property('user.session.note', 'User Session Note', 'The user session note the claim carries.', 'String', { required: true }), claimName, jsonType],
  'oidc-organization-membership-mapper': [claimName, property('jsonType.label', 'Claim JSON Type', 'The JSON type the claim value is written as.', 'List', { defaultValue: 'String', options: ['String', 'JSON'] }), multivalued('true')],
};

/** Properties after the token switches, by providerId (Keycloak's order). */
const AFTER: Record<string, ConfigProperty[]> = {
  'oidc-usermodel-attribute-mapper': [multivalued(), property('aggregate.attrs', 'Aggregate attribute values', 'Merge the values of the attribute from the user and their groups.', 'boolean')],
  'oidc-address-mapper': ['street', 'locality', 'region', 'postal_code', 'country', 'formatted'].map(addressPart),
};

/** The token-switch defaults that differ from the usual ones, by providerId. */
const SWITCH_DEFAULTS: Record<string, Record<string, string>> = {
  'oidc-audience-mapper': { 'id.token.claim': 'false' },
};

export function mapperProperties(providerId: string, kinds: readonly TokenKind[]): ConfigProperty[] {
  return [...(OWN[providerId] ?? []), ...tokenSwitches(kinds, SWITCH_DEFAULTS[providerId]), ...(AFTER[providerId] ?? [])];
}

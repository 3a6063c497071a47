/**
 * The protocol mapper types holdfast applies to tokens (src/realm/protocol-mappers), as
 * `/admin/serverinfo` lists them under `protocolMapperTypes`, and the mappers of the built-in
 * client scopes under `builtinProtocolMappers`.
 */
import { builtInMappers, builtInScopeNames, supportedMapperTypes } from '../../realm/index.ts';
import { mapperProperties } from './mapper-properties.ts';

/** The names the console lists mapper types by (Keycloak's display types, so admins recognise them). */
const DISPLAY_NAMES: Record<string, string> = {
  'oidc-usermodel-attribute-mapper': 'User Attribute',
  'oidc-usermodel-property-mapper': 'User Property',
  'oidc-full-name-mapper': "User's full name",
  'oidc-group-membership-mapper': 'Group Membership',
  'oidc-usermodel-realm-role-mapper': 'User Realm Role',
  'oidc-usermodel-client-role-mapper': 'User Client Role',
  'oidc-audience-mapper': 'Audience',
  'oidc-audience-resolve-mapper': 'Audience Resolve',
  'oidc-hardcoded-claim-mapper': 'Hardcoded claim',
  'oidc-hardcoded-role-mapper': 'Hardcoded Role',
  'oidc-role-name-mapper': 'Role Name Mapper',
  'oidc-allowed-origins-mapper': 'Allowed Web Origins',
  'oidc-usersessionmodel-note-mapper': 'User Session Note',
  'oidc-sub-mapper': 'Subject (sub)',
  'oidc-acr-mapper': 'Authentication Context Class Reference (ACR)',
  'oidc-address-mapper': 'User Address',
  'oidc-organization-membership-mapper': 'Organization Membership',
};

/** One configurable property of a mapper, as Keycloak's ConfigPropertyRepresentation. */
export interface ConfigProperty {
  name: string;
  label: string;
  helpText: string;
  type: string;
  defaultValue?: string;
  options?: string[];
  secret: boolean;
  required: boolean;
  readOnly: boolean;
}

export interface ProtocolMapperType {
  id: string;
  name: string;
  category: string;
  helpText: string;
  priority: number;
  properties: ConfigProperty[];
}

export interface BuiltinProtocolMapper {
  name: string;
  protocol: string;
  protocolMapper: string;
  consentRequired: boolean;
  config: Record<string, string>;
}

/** By protocol (`openid-connect`), as Keycloak keys them. */
export const protocolMapperTypes: Record<string, ProtocolMapperType[]> = {
  'openid-connect': supportedMapperTypes().map((t) => ({
    id: t.providerId,
    name: DISPLAY_NAMES[t.providerId] ?? t.providerId,
    category: 'Token mapper',
    helpText: '',
    priority: t.priority,
    properties: mapperProperties(t.providerId, t.kinds),
  })),
};
export const builtinProtocolMappers: Record<string, BuiltinProtocolMapper[]> = {
  'openid-connect': [...builtInScopeNames('default'), ...builtInScopeNames('optional')].flatMap((scope) =>
    builtInMappers(scope).map(({ name, protocol, protocolMapper, consentRequired, config }) => ({ name, protocol, protocolMapper, consentRequired: consentRequired ?? false, config })),
  ),
};

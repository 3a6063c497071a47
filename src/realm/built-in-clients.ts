/**
 * The clients and client roles Keycloak 26.7 gives every realm, as data: `account`,
 * `account-console`, `admin-cli`, `broker`, `realm-management` and `security-admin-console`, with
 * their URLs, flags, mappers and scope mappings, and the roles of `account`, `broker` and
 * `realm-management` with their composites. The realm factory creates them for a new realm; the
 * start-up upgrade adds whichever is missing from a realm an earlier release created.
 */
import { newId } from '../crypto/index.ts';
import { clientDefaults } from './defaults.ts';
import type { ProtocolMapper } from './protocol-mappers/index.ts';
import type { Client } from './types.ts';

/** A client role and the roles of the same client it is composed of. */
export interface BuiltInRole {
  name: string;
  composites?: string[];
}

export interface BuiltInClient {
  clientId: string;
  client: (realmId: string, realmName: string) => Client;
  roles?: BuiltInRole[];
  /** Roles of other built-in clients in its scope (`fullScopeAllowed` is off): client id → role names. */
  scopeMappings?: Record<string, string[]>;
}

const POST_LOGOUT_AS_REDIRECTS = { 'post.logout.redirect.uris': '+' };

function builtIn(realmId: string, clientId: string, fields: Partial<Client>): Client {
  return { ...clientDefaults(), id: newId(), realmId, clientId, name: `\${client_${clientId}}`, ...fields };
}

function mapper(name: string, protocolMapper: string, config: Record<string, string>): ProtocolMapper {
  return { id: newId(), name, protocol: 'openid-connect', protocolMapper, consentRequired: false, config };
}

const accountUrls = (realmName: string): Partial<Client> => ({
  rootUrl: '${authBaseUrl}',
  baseUrl: `/realms/${realmName}/account/`,
  redirectUris: [`/realms/${realmName}/account/*`],
});

export const REALM_MANAGEMENT_ROLES: BuiltInRole[] = [
  { name: 'manage-users' },
  { name: 'view-users', composites: ['query-users', 'query-groups'] },
  { name: 'query-users' },
  { name: 'manage-clients' },
  { name: 'view-clients', composites: ['query-clients'] },
  { name: 'query-clients' },
  { name: 'create-client' },
  { name: 'manage-realm' },
  { name: 'view-realm' },
  { name: 'manage-events' },
  { name: 'view-events' },
  { name: 'query-groups' },
  { name: 'query-realms' },
  { name: 'impersonation' },
  { name: 'manage-identity-providers' },
  { name: 'view-identity-providers' },
  { name: 'manage-authorization' },
  { name: 'view-authorization' },
  { name: 'manage-organizations' },
  { name: 'view-organizations', composites: ['query-organizations'] },
  { name: 'query-organizations' },
];

export const ACCOUNT_ROLES: BuiltInRole[] = [
  { name: 'manage-account', composites: ['manage-account-links'] },
  { name: 'manage-account-links' },
  { name: 'view-profile' },
  { name: 'view-applications' },
  { name: 'view-consent' },
  { name: 'manage-consent', composites: ['view-consent'] },
  { name: 'view-groups' },
  { name: 'delete-account' },
];

export const BUILT_IN_CLIENTS: BuiltInClient[] = [
  {
    clientId: 'account',
    client: (realmId, realmName) => builtIn(realmId, 'account', { publicClient: true, fullScopeAllowed: false, ...accountUrls(realmName), attributes: { ...POST_LOGOUT_AS_REDIRECTS } }),
    roles: ACCOUNT_ROLES,
  },
  {
    clientId: 'account-console',
    client: (realmId, realmName) =>
      builtIn(realmId, 'account-console', {
        publicClient: true,
        fullScopeAllowed: false,
        ...accountUrls(realmName),
        attributes: { ...POST_LOGOUT_AS_REDIRECTS, 'pkce.code.challenge.method': 'S256' },
        protocolMappers: [mapper('audience resolve', 'oidc-audience-resolve-mapper', {})],
      }),
    scopeMappings: { account: ['manage-account', 'view-groups'] },
  },
  {
    clientId: 'admin-cli',
    client: (realmId) => builtIn(realmId, 'admin-cli', { publicClient: true, standardFlowEnabled: false, directAccessGrantsEnabled: true }),
  },
  {
    clientId: 'broker',
    client: (realmId) => builtIn(realmId, 'broker', { bearerOnly: true, fullScopeAllowed: false }),
    roles: [{ name: 'read-token' }],
  },
  {
    clientId: 'realm-management',
    client: (realmId) => builtIn(realmId, 'realm-management', { bearerOnly: true, fullScopeAllowed: false }),
    roles: REALM_MANAGEMENT_ROLES,
  },
  {
    clientId: 'security-admin-console',
    client: (realmId, realmName) =>
      builtIn(realmId, 'security-admin-console', {
        publicClient: true,
        rootUrl: '${authAdminUrl}',
        baseUrl: `/admin/${realmName}/console/`,
        redirectUris: [`/admin/${realmName}/console/*`],
        webOrigins: ['+'],
        attributes: { ...POST_LOGOUT_AS_REDIRECTS, 'pkce.code.challenge.method': 'S256' },
        protocolMappers: [
          mapper('locale', 'oidc-usermodel-attribute-mapper', {
            'introspection.token.claim': 'true',
            'userinfo.token.claim': 'true',
            'user.attribute': 'locale',
            'id.token.claim': 'true',
            'access.token.claim': 'true',
            'claim.name': 'locale',
            'jsonType.label': 'String',
          }),
        ],
      }),
  },
];

/** Keycloak's description of a built-in role: a message key the consoles translate. */
export const roleDescription = (name: string): string => `\${role_${name}}`;

/**
 * Client scopes as Keycloak 26 has them: the built-in scopes every new realm gets (with their
 * realm default/optional type and consent attributes), lookups by name, and what a client grants:
 * its default scopes always, its optional scopes when asked for, each only if the scope speaks the
 * client's protocol. Clients name their scopes (as Keycloak's representation does), so a scope
 * that was deleted simply stops resolving.
 */
import { newId } from '../crypto/index.ts';
import { builtInMappers } from './protocol-mappers/built-in-mappers.ts';
import type { Client, ClientScope, RealmDefaultType, RealmModel } from './types.ts';

export const OIDC_PROTOCOL = 'openid-connect';
const INCLUDE_IN_TOKEN_SCOPE = 'include.in.token.scope';

interface BuiltInScope {
  name: string;
  description: string;
  realmDefault: RealmDefaultType;
  attributes: Record<string, string>;
}

/** Keycloak's consent attributes: shown on the consent screen (with this text), listed in `scope`. */
const consent = (includeInTokenScope: boolean | undefined, display: boolean, text?: string): Record<string, string> => ({
  ...(includeInTokenScope !== undefined ? { [INCLUDE_IN_TOKEN_SCOPE]: String(includeInTokenScope) } : {}),
  ...(text !== undefined ? { 'consent.screen.text': text } : {}),
  'display.on.consent.screen': String(display),
});

/**
 * In the order new clients list them (OIDCLoginProtocolFactory, DefaultClientScopes). The SAML
 * scopes Keycloak also creates (`role_list`, `saml_organization`) and `service_account` are not
 * built in: holdfast serves OIDC only and gives service accounts their claims without a scope.
 */
const BUILT_IN_SCOPES: BuiltInScope[] = [
  { name: 'web-origins', description: 'OpenID Connect scope for add allowed web origins to the access token', realmDefault: 'default', attributes: consent(false, false, '') },
  { name: 'acr', description: 'OpenID Connect scope for add acr (authentication context class reference) to the token', realmDefault: 'default', attributes: consent(false, false) },
  { name: 'roles', description: 'OpenID Connect scope for add user roles to the access token', realmDefault: 'default', attributes: consent(false, true, '${rolesScopeConsentText}') },
  { name: 'profile', description: 'OpenID Connect built-in scope: profile', realmDefault: 'default', attributes: consent(true, true, '${profileScopeConsentText}') },
  { name: 'basic', description: 'OpenID Connect scope for add all basic claims to the token', realmDefault: 'default', attributes: consent(false, false) },
  { name: 'email', description: 'OpenID Connect built-in scope: email', realmDefault: 'default', attributes: consent(true, true, '${emailScopeConsentText}') },
  { name: 'address', description: 'OpenID Connect built-in scope: address', realmDefault: 'optional', attributes: consent(true, true, '${addressScopeConsentText}') },
  { name: 'phone', description: 'OpenID Connect built-in scope: phone', realmDefault: 'optional', attributes: consent(true, true, '${phoneScopeConsentText}') },
  // Keycloak sets no include.in.token.scope on offline_access: absent means listed.
  { name: 'offline_access', description: 'OpenID Connect built-in scope: offline_access', realmDefault: 'optional', attributes: consent(undefined, true, '${offlineAccessScopeConsentText}') },
  {
    name: 'organization',
    description: 'Additional claims about the organization a subject belongs to',
    realmDefault: 'optional',
    attributes: consent(true, true, '${organizationScopeConsentText}'),
  },
  { name: 'microprofile-jwt', description: 'Microprofile - JWT built-in scope', realmDefault: 'optional', attributes: consent(true, false) },
];

/** Names of the built-in scopes of one realm default type, in the order new clients get them. */
export function builtInScopeNames(type: RealmDefaultType): string[] {
  return BUILT_IN_SCOPES.filter((s) => s.realmDefault === type).map((s) => s.name);
}

/** Fresh built-in client scopes for a realm, with Keycloak 26's mappers. */
export function builtInClientScopes(realmId: string): ClientScope[] {
  return BUILT_IN_SCOPES.map((s, position) => ({
    id: newId(),
    realmId,
    name: s.name,
    description: s.description,
    protocol: OIDC_PROTOCOL,
    attributes: { ...s.attributes },
    protocolMappers: builtInMappers(s.name),
    scopeMappings: [],
    realmDefault: s.realmDefault,
    position,
  }));
}

export function clientScopeByName(model: RealmModel, name: string): ClientScope | undefined {
  for (const scope of model.clientScopesById.values()) if (scope.name === name) return scope;
  return undefined;
}

/** The realm's default (or optional) client scopes, in listing order. */
export function realmDefaultScopes(model: RealmModel, type: RealmDefaultType): ClientScope[] {
  return [...model.clientScopesById.values()].filter((s) => s.realmDefault === type);
}

/** Whether a scope is listed in the `scope` claim: Keycloak's attribute, true when absent. */
export function includedInTokenScope(scope: ClientScope): boolean {
  const value = scope.attributes[INCLUDE_IN_TOKEN_SCOPE];
  return value === undefined || value.toLowerCase() === 'true';
}

/** What a client grants, resolved once per loaded realm (never per token request). */
export interface ClientScopeGrant {
  /** Its default scopes that exist and speak its protocol, in the client's order. */
  defaults: ClientScope[];
  /** Its optional scopes likewise, by name. */
  optional: Map<string, ClientScope>;
}

export function clientScopeGrant(model: RealmModel, client: Client): ClientScopeGrant {
  const byName = new Map([...model.clientScopesById.values()].map((s) => [s.name, s]));
  const protocol = client.protocol || OIDC_PROTOCOL;
  const resolve = (names: string[]) => names.map((n) => byName.get(n)).filter((s): s is ClientScope => s !== undefined && s.protocol === protocol);
  const defaults = resolve(client.defaultClientScopes);
  const defaultNames = new Set(defaults.map((s) => s.name));
  return { defaults, optional: new Map(resolve(client.optionalClientScopes).filter((s) => !defaultNames.has(s.name)).map((s) => [s.name, s])) };
}

/** Every client's grant, for the realm cache. */
export function clientScopeGrants(model: RealmModel): Map<string, ClientScopeGrant> {
  return new Map([...model.clientsById.values()].map((c) => [c.id, clientScopeGrant(model, c)]));
}

/** The scopes a new client of this protocol gets when its representation names none (Keycloak's realm defaults). */
export function defaultScopesForNewClient(model: RealmModel, protocol: string): Pick<Client, 'defaultClientScopes' | 'optionalClientScopes'> {
  const names = (type: RealmDefaultType) => realmDefaultScopes(model, type).filter((s) => s.protocol === protocol).map((s) => s.name);
  return { defaultClientScopes: names('default'), optionalClientScopes: names('optional') };
}

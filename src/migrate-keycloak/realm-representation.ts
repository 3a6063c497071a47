/**
 * Keycloak's tables of one realm turned into the RealmRepresentation a full Keycloak export
 * would carry (ids of realm, clients, scopes, roles, groups and users kept; credentials as
 * Keycloak stored them; key providers with their key material), so that holdfast's own realm
 * import (the path behind `holdfast import`) checks and writes it in one transaction. Columns go
 * to their JSON names; realm attributes whose names are realm settings (brute force, client
 * session timeouts, offline max lifespan, …) become those settings, with the setting's type.
 */
import { DEFAULT_REALM_SETTINGS } from '../realm/index.ts';
import type { Row } from './keycloak-snapshot.ts';
import { groupBy, multiValues, nameValues, type RealmRows } from './realm-rows.ts';

const KEY_PROVIDER_TYPE = 'org.keycloak.keys.KeyProvider';

/** REALM column → RealmRepresentation field. */
const REALM_COLUMNS: Record<string, string> = {
  enabled: 'enabled',
  display_name: 'displayName',
  ssl_required: 'sslRequired',
  not_before: 'notBefore',
  registration_allowed: 'registrationAllowed',
  reg_email_as_username: 'registrationEmailAsUsername',
  remember_me: 'rememberMe',
  verify_email: 'verifyEmail',
  login_with_email_allowed: 'loginWithEmailAllowed',
  duplicate_emails_allowed: 'duplicateEmailsAllowed',
  reset_password_allowed: 'resetPasswordAllowed',
  edit_username_allowed: 'editUsernameAllowed',
  revoke_refresh_token: 'revokeRefreshToken',
  refresh_token_max_reuse: 'refreshTokenMaxReuse',
  access_token_lifespan: 'accessTokenLifespan',
  access_token_life_implicit: 'accessTokenLifespanForImplicitFlow',
  sso_idle_timeout: 'ssoSessionIdleTimeout',
  sso_max_lifespan: 'ssoSessionMaxLifespan',
  sso_idle_timeout_remember_me: 'ssoSessionIdleTimeoutRememberMe',
  sso_max_lifespan_remember_me: 'ssoSessionMaxLifespanRememberMe',
  offline_session_idle_timeout: 'offlineSessionIdleTimeout',
  access_code_lifespan: 'accessCodeLifespan',
  user_action_lifespan: 'accessCodeLifespanUserAction',
  login_lifespan: 'accessCodeLifespanLogin',
  password_policy: 'passwordPolicy',
  otp_policy_type: 'otpPolicyType',
  otp_policy_alg: 'otpPolicyAlgorithm',
  otp_policy_digits: 'otpPolicyDigits',
  otp_policy_period: 'otpPolicyPeriod',
  otp_policy_window: 'otpPolicyLookAheadWindow',
  otp_policy_counter: 'otpPolicyInitialCounter',
  internationalization_enabled: 'internationalizationEnabled',
  default_locale: 'defaultLocale',
  login_theme: 'loginTheme',
  events_enabled: 'eventsEnabled',
  events_expiration: 'eventsExpiration',
  admin_events_enabled: 'adminEventsEnabled',
  admin_events_details_enabled: 'adminEventsDetailsEnabled',
};

/** CLIENT column → ClientRepresentation field. */
const CLIENT_COLUMNS: Record<string, string> = {
  id: 'id',
  client_id: 'clientId',
  name: 'name',
  description: 'description',
  enabled: 'enabled',
  public_client: 'publicClient',
  bearer_only: 'bearerOnly',
  secret: 'secret',
  client_authenticator_type: 'clientAuthenticatorType',
  root_url: 'rootUrl',
  base_url: 'baseUrl',
  management_url: 'adminUrl',
  standard_flow_enabled: 'standardFlowEnabled',
  implicit_flow_enabled: 'implicitFlowEnabled',
  direct_access_grants_enabled: 'directAccessGrantsEnabled',
  service_accounts_enabled: 'serviceAccountsEnabled',
  consent_required: 'consentRequired',
  full_scope_allowed: 'fullScopeAllowed',
  frontchannel_logout: 'frontchannelLogout',
  protocol: 'protocol',
  not_before: 'notBefore',
  surrogate_auth_required: 'surrogateAuthRequired',
  always_display_in_console: 'alwaysDisplayInConsole',
  node_rereg_timeout: 'nodeReRegistrationTimeout',
};

const BIGINT_COLUMNS = new Set(['events_expiration']);

function columns(row: Row, mapping: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, field] of Object.entries(mapping)) {
    const value = row[column];
    // node-postgres reads BIGINT columns (REALM.EVENTS_EXPIRATION) as strings: the JSON has numbers.
    if (typeof value === 'string' && /^-?\d{1,15}$/.test(value) && BIGINT_COLUMNS.has(column)) out[field] = Number(value);
    else if (value !== null && value !== undefined && value !== '') out[field] = value;
  }
  return out;
}

/** A realm attribute as the setting of that name, typed like the setting; undefined when it is not one. */
function asSetting(name: string, value: string): unknown {
  if (!(name in DEFAULT_REALM_SETTINGS) || name === 'attributes' || name === 'requiredActions') return undefined;
  const template = (DEFAULT_REALM_SETTINGS as unknown as Record<string, unknown>)[name];
  if (typeof template === 'boolean') return value === 'true';
  if (typeof template === 'number') return Number.isFinite(Number(value)) && value !== '' ? Number(value) : undefined;
  if (typeof template === 'string') return value;
  return undefined;
}

export function realmRepresentation(rows: RealmRows): Record<string, unknown> {
  const realmId = rows.realm.id as string;
  const settings: Record<string, unknown> = columns(rows.realm, REALM_COLUMNS);
  // Keycloak stores the SslRequired enum by name (EXTERNAL); its JSON carries it in lower case.
  if (typeof settings.sslRequired === 'string') settings.sslRequired = settings.sslRequired.toLowerCase();
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(nameValues(rows.attributes))) {
    const setting = asSetting(name, value);
    if (setting !== undefined) settings[name] = setting;
    else if (!name.startsWith('_browser_header.') && name !== 'firstBrokerLoginFlowId') attributes[name] = value;
  }

  const clientById = new Map(rows.clients.map((c) => [c.id as string, c]));
  const roleById = new Map(rows.roles.map((r) => [r.id as string, r]));
  const scopeById = new Map(rows.clientScopes.map((s) => [s.id as string, s]));
  const groupById = new Map(rows.groups.map((g) => [g.id as string, g]));

  // Role ids → the names Keycloak's JSON refers to them by: realm roles by name, client roles by client and name.
  const roleRefs = (roleIds: string[]) => {
    const realm: string[] = [];
    const client: Record<string, string[]> = {};
    for (const id of roleIds) {
      const role = roleById.get(id);
      if (!role) continue;
      if (role.client_role) {
        const owner = clientById.get(role.client as string);
        if (owner) (client[owner.client_id as string] ??= []).push(role.name as string);
      } else realm.push(role.name as string);
    }
    return { realm, client };
  };

  const mapperConfig = groupBy(rows.protocolMapperConfig, 'protocol_mapper_id');
  const mapper = (m: Row) => ({
    id: m.id,
    name: m.name,
    protocol: m.protocol,
    protocolMapper: m.protocol_mapper_name,
    consentRequired: false,
    config: nameValues(mapperConfig.get(m.id as string)),
  });
  const mappersByClient = groupBy(rows.protocolMappers.filter((m) => m.client_id), 'client_id');
  const mappersByScope = groupBy(rows.protocolMappers.filter((m) => m.client_scope_id), 'client_scope_id');

  const clientAttributes = groupBy(rows.clientAttributes, 'client_id');
  const redirectUris = groupBy(rows.redirectUris, 'client_id');
  const webOrigins = groupBy(rows.webOrigins, 'client_id');
  const clientScopeLinks = groupBy(rows.clientScopeClients, 'client_id');
  const scopeName = (id: unknown) => scopeById.get(id as string)?.name as string | undefined;
  const clients = rows.clients.map((c) => {
    const links = clientScopeLinks.get(c.id as string) ?? [];
    return {
      ...columns(c, CLIENT_COLUMNS),
      attributes: nameValues(clientAttributes.get(c.id as string)),
      redirectUris: (redirectUris.get(c.id as string) ?? []).map((r) => r.value),
      webOrigins: (webOrigins.get(c.id as string) ?? []).map((r) => r.value),
      protocolMappers: (mappersByClient.get(c.id as string) ?? []).map(mapper),
      defaultClientScopes: links.filter((l) => l.default_scope).map((l) => scopeName(l.scope_id)).filter((n): n is string => n !== undefined),
      optionalClientScopes: links.filter((l) => !l.default_scope).map((l) => scopeName(l.scope_id)).filter((n): n is string => n !== undefined),
    };
  });

  const scopeAttributes = groupBy(rows.clientScopeAttributes, 'scope_id');
  const clientScopes = rows.clientScopes.map((s) => ({
    id: s.id,
    name: s.name,
    ...(s.description ? { description: s.description } : {}),
    protocol: s.protocol ?? 'openid-connect',
    attributes: nameValues(scopeAttributes.get(s.id as string)),
    protocolMappers: (mappersByScope.get(s.id as string) ?? []).map(mapper),
  }));

  const composites = groupBy(rows.composites, 'composite');
  const roleAttributes = groupBy(rows.roleAttributes, 'role_id');
  const role = (r: Row) => {
    const children = (composites.get(r.id as string) ?? []).map((c) => c.child_role as string);
    const refs = roleRefs(children);
    return {
      id: r.id,
      name: r.name,
      ...(r.description ? { description: r.description } : {}),
      composite: children.length > 0,
      ...(children.length > 0 ? { composites: { ...(refs.realm.length ? { realm: refs.realm } : {}), ...(Object.keys(refs.client).length ? { client: refs.client } : {}) } } : {}),
      clientRole: Boolean(r.client_role),
      containerId: r.client_role ? r.client : realmId,
      attributes: multiValues(roleAttributes.get(r.id as string)),
    };
  };
  const clientRoles: Record<string, unknown[]> = {};
  for (const c of rows.clients) clientRoles[c.client_id as string] = [];
  for (const r of rows.roles.filter((r) => r.client_role)) {
    const owner = clientById.get(r.client as string);
    if (owner) clientRoles[owner.client_id as string].push(role(r));
  }
  const defaultRole = roleById.get(rows.realm.default_role as string);

  // Groups: nested by parent, referred to by path.
  const childrenOf = groupBy(rows.groups.filter((g) => g.parent_group && g.parent_group !== ' '), 'parent_group');
  const groupAttributes = groupBy(rows.groupAttributes, 'group_id');
  const groupRoles = groupBy(rows.groupRoles, 'group_id');
  const pathOf = (id: string): string => {
    const names: string[] = [];
    for (let g = groupById.get(id), depth = 0; g && depth < 1000; depth++) {
      names.unshift(g.name as string);
      g = g.parent_group && g.parent_group !== ' ' ? groupById.get(g.parent_group as string) : undefined;
    }
    return `/${names.join('/')}`;
  };
  const group = (g: Row): Record<string, unknown> => {
    const refs = roleRefs((groupRoles.get(g.id as string) ?? []).map((m) => m.role_id as string));
    return {
      id: g.id,
      name: g.name,
      ...(g.description ? { description: g.description } : {}),
      path: pathOf(g.id as string),
      attributes: multiValues(groupAttributes.get(g.id as string)),
      realmRoles: refs.realm,
      clientRoles: refs.client,
      subGroups: (childrenOf.get(g.id as string) ?? []).map(group),
    };
  };
  const topGroups = rows.groups.filter((g) => !g.parent_group || g.parent_group === ' ' || !groupById.has(g.parent_group as string));

  const userAttributes = groupBy(rows.userAttributes, 'user_id');
  const credentials = groupBy(rows.credentials, 'user_id');
  const userRoles = groupBy(rows.userRoles, 'user_id');
  const memberships = groupBy(rows.memberships, 'user_id');
  const requiredActions = groupBy(rows.requiredActions, 'user_id');
  const consents = groupBy(rows.consents, 'user_id');
  const consentScopes = groupBy(rows.consentScopes, 'user_consent_id');
  const users = rows.users.map((u) => {
    const id = u.id as string;
    const refs = roleRefs((userRoles.get(id) ?? []).map((m) => m.role_id as string));
    const serviceAccountOf = u.service_account_client_link ? clientById.get(u.service_account_client_link as string) : undefined;
    return {
      id,
      username: u.username,
      ...(u.email ? { email: u.email } : {}),
      ...(u.first_name ? { firstName: u.first_name } : {}),
      ...(u.last_name ? { lastName: u.last_name } : {}),
      enabled: Boolean(u.enabled),
      emailVerified: Boolean(u.email_verified),
      ...(u.created_timestamp !== null ? { createdTimestamp: Number(u.created_timestamp) } : {}),
      // Long values (over 255 characters) live in LONG_VALUE.
      attributes: multiValues(userAttributes.get(id), (row) => row.long_value ?? row.value),
      requiredActions: (requiredActions.get(id) ?? []).map((r) => r.required_action),
      ...(u.not_before ? { notBefore: Number(u.not_before) } : {}),
      ...(serviceAccountOf ? { serviceAccountClientId: serviceAccountOf.client_id } : {}),
      credentials: (credentials.get(id) ?? []).map((c) => ({
        id: c.id,
        type: c.type,
        ...(c.user_label ? { userLabel: c.user_label } : {}),
        ...(c.created_date !== null ? { createdDate: Number(c.created_date) } : {}),
        secretData: c.secret_data,
        credentialData: c.credential_data,
        ...(c.priority !== null ? { priority: Number(c.priority) } : {}),
      })),
      realmRoles: refs.realm,
      clientRoles: refs.client,
      groups: (memberships.get(id) ?? []).map((m) => pathOf(m.group_id as string)),
      clientConsents: (consents.get(id) ?? []).flatMap((consent) => {
        const client = clientById.get(consent.client_id as string);
        if (!client) return [];
        return [
          {
            clientId: client.client_id,
            grantedClientScopes: (consentScopes.get(consent.id as string) ?? []).map((s) => scopeName(s.scope_id)).filter((n): n is string => n !== undefined),
            ...(consent.created_date !== null ? { createdDate: Number(consent.created_date) } : {}),
            ...(consent.last_updated_date !== null ? { lastUpdatedDate: Number(consent.last_updated_date) } : {}),
          },
        ];
      }),
    };
  });

  // Scope mappings: realm roles and client roles a client (or client scope) may put in its tokens.
  const scopeMappings: Array<Record<string, unknown>> = [];
  const clientScopeMappings: Record<string, Array<Record<string, unknown>>> = {};
  const addMappings = (holder: Record<string, unknown>, roleIds: string[]) => {
    const refs = roleRefs(roleIds);
    if (refs.realm.length > 0) scopeMappings.push({ ...holder, roles: refs.realm });
    for (const [clientId, names] of Object.entries(refs.client)) (clientScopeMappings[clientId] ??= []).push({ ...holder, roles: names });
  };
  for (const [clientUuid, mappings] of groupBy(rows.scopeMappings, 'client_id')) {
    const client = clientById.get(clientUuid);
    if (client) addMappings({ client: client.client_id }, mappings.map((m) => m.role_id as string));
  }
  for (const [scopeId, mappings] of groupBy(rows.clientScopeRoles, 'scope_id')) {
    const scope = scopeById.get(scopeId);
    if (scope) addMappings({ clientScope: scope.name }, mappings.map((m) => m.role_id as string));
  }

  const componentConfig = groupBy(rows.componentConfig, 'component_id');
  const keyProviders = rows.components
    .filter((c) => c.provider_type === KEY_PROVIDER_TYPE)
    .map((c) => ({ id: c.id, name: c.name, providerId: c.provider_id, ...(c.sub_type ? { subType: c.sub_type } : {}), config: multiValues(componentConfig.get(c.id as string)) }));

  return {
    id: realmId,
    realm: rows.realm.name,
    ...settings,
    attributes,
    ...(defaultRole ? { defaultRole: { id: defaultRole.id, name: defaultRole.name } } : {}),
    roles: { realm: rows.roles.filter((r) => !r.client_role).map(role), client: clientRoles },
    clients,
    clientScopes,
    defaultDefaultClientScopes: rows.defaultClientScopes.filter((d) => d.default_scope).map((d) => scopeName(d.scope_id)).filter((n): n is string => n !== undefined),
    defaultOptionalClientScopes: rows.defaultClientScopes.filter((d) => !d.default_scope).map((d) => scopeName(d.scope_id)).filter((n): n is string => n !== undefined),
    scopeMappings,
    clientScopeMappings,
    groups: topGroups.map(group),
    defaultGroups: rows.defaultGroups.map((d) => pathOf(d.group_id as string)),
    users,
    components: { [KEY_PROVIDER_TYPE]: keyProviders },
  };
}

/**
 * What a Keycloak realm file carries that holdfast does not honour, so that nothing is dropped
 * silently (DESIGN rule 9). Every field of Keycloak 26's RealmRepresentation, and the parts of
 * clients, users and client scopes holdfast does not model, has one row in the tables below:
 * taken (modelled, nothing to say), ignored (harmless, listed), or refused (security-relevant:
 * the import fails unless the operator overrides it, and the override is listed). A value equal
 * to what Keycloak writes for a new realm is never listed, so a plain Keycloak export imports
 * quietly. When holdfast learns to honour a part, its row becomes `taken` and nothing else moves.
 */
import { isDeepStrictEqual } from 'node:util';
import { realmSettingChecks } from '../representations/realm.ts';
import { clientRepresentation, MASKED_SECRET } from '../representations/client.ts';
import { userFileRepresentation } from '../representations/user.ts';
import { supportedMapperType } from '../../realm/index.ts';
import { MAPPER_TYPES_BY_ID, PROVIDER_KINDS, unhonouredSettings } from '../../broker/index.ts';
import { REQUIRED_ACTION_STEPS } from '../../authn/index.ts';
import { clientAuthenticators } from '../server-info/client-authenticators.ts';

/** One part of the file, by JSON path, and what becomes of it in words for the person importing. */
export interface Finding {
  path: string;
  reason: string;
}

export interface LossyParts {
  /** Security-relevant parts holdfast cannot honour: the import fails unless overridden. */
  refused: Finding[];
  /** Parts holdfast does not use and whose absence weakens nothing. */
  ignored: Finding[];
}

type Json = Record<string, unknown>;
type Verdict = keyof LossyParts;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const items = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const objects = (value: unknown): Json[] => items(value).filter(isObject);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const isEmpty = (value: unknown): boolean =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);

class Collector implements LossyParts {
  refused: Finding[] = [];
  ignored: Finding[] = [];
  add(verdict: Verdict, path: string, reason: string): void {
    this[verdict].push({ path, reason });
  }
}

/**
 * A field that is taken, or that is listed (ignored or refused) when its value is not one a new
 * Keycloak realm has. `defaults` are the values that say nothing; absent and null never do.
 */
interface Setting {
  verdict: Verdict;
  reason: string;
  defaults?: unknown[];
}

const TAKEN = 'taken' as const;
type Row = typeof TAKEN | Setting | ((value: unknown, path: string, file: Json, out: Collector) => void);

const ignoredUnless = (reason: string, ...defaults: unknown[]): Setting => ({ verdict: 'ignored', reason, defaults });
const refusedUnless = (reason: string, ...defaults: unknown[]): Setting => ({ verdict: 'refused', reason, defaults });

const NO_THEMES = 'holdfast has one built-in theme';
const NO_WEBAUTHN = 'holdfast has no WebAuthn yet; WebAuthn credentials are refused with the user';

/** Keycloak 26's OTP and WebAuthn policy of a new realm (what its export writes). */
const OTP_DEFAULTS: Record<string, unknown> = {
  otpPolicyType: 'totp',
  otpPolicyAlgorithm: 'HmacSHA1',
  otpPolicyInitialCounter: 0,
  otpPolicyDigits: 6,
  otpPolicyLookAheadWindow: 1,
  otpPolicyPeriod: 30,
  otpPolicyCodeReusable: false,
};
const WEBAUTHN_DEFAULTS: Record<string, unknown> = Object.fromEntries(
  ['', 'Passwordless'].flatMap((kind) => [
    [`webAuthnPolicy${kind}RpEntityName`, 'keycloak'],
    [`webAuthnPolicy${kind}SignatureAlgorithms`, ['ES256', 'RS256']],
    [`webAuthnPolicy${kind}RpId`, ''],
    [`webAuthnPolicy${kind}AttestationConveyancePreference`, 'not specified'],
    [`webAuthnPolicy${kind}AuthenticatorAttachment`, 'not specified'],
    [`webAuthnPolicy${kind}RequireResidentKey`, 'not specified'],
    [`webAuthnPolicy${kind}ResidentKey`, kind === '' ? 'not specified' : 'required'],
    [`webAuthnPolicy${kind}UserVerificationRequirement`, kind === '' ? 'not specified' : 'required'],
    [`webAuthnPolicy${kind}CreateTimeout`, 0],
    [`webAuthnPolicy${kind}AvoidSameAuthenticatorRegister`, false],
    [`webAuthnPolicy${kind}AcceptableAaguids`, []],
    [`webAuthnPolicy${kind}ExtraOrigins`, []],
  ]),
);
const BROWSER_SECURITY_HEADERS = {
  contentSecurityPolicyReportOnly: '',
  xContentTypeOptions: 'nosniff',
  referrerPolicy: 'no-referrer',
  xRobotsTag: 'none',
  xFrameOptions: 'SAMEORIGIN',
  contentSecurityPolicy: "frame-src 'self'; frame-ancestors 'self'; object-src 'none';",
  strictTransportSecurity: 'max-age=31536000; includeSubDomains',
};

/** Every top-level field of Keycloak 26's RealmRepresentation; a field not here is listed as unknown. */
const REALM_ROWS: Record<string, Row> = {
  ...Object.fromEntries(Object.keys(realmSettingChecks).map((name) => [name, TAKEN])),
  id: TAKEN,
  realm: TAKEN,
  keycloakVersion: TAKEN,
  defaultRole: TAKEN,
  defaultRoles: TAKEN,
  roles: TAKEN,
  groups: TAKEN,
  defaultGroups: TAKEN,
  clientScopes: (value, path, _file, out) => objects(value).forEach((scope, i) => checkClientScope(scope, `${path}[${i}]`, out)),
  defaultDefaultClientScopes: TAKEN,
  defaultOptionalClientScopes: TAKEN,
  clients: (value, path, file, out) => objects(value).forEach((client, i) => checkClient(client, `${path}[${i}]`, file, out)),
  users: (value, path, _file, out) => objects(value).forEach((user, i) => checkUser(user, `${path}[${i}]`, out)),
  federatedUsers: refusedUnless('users kept by a user federation provider are not supported: they could not log in', []),
  passwordPolicy: TAKEN, // parsed on import: an unknown rule fails the import (plan-realm)
  requiredCredentials: refusedUnless('holdfast requires a password only', ['password']),
  clientPolicies: refusedUnless('client policies are not enforced', { policies: [] }),
  clientProfiles: refusedUnless('client profiles are not enforced', { profiles: [] }),
  identityProviders: (value, path, _file, out) =>
    objects(value).forEach((idp, i) => {
      const alias = text(idp.alias) ?? '?';
      if (!PROVIDER_KINDS.has(text(idp.providerId) ?? '')) {
        out.add('refused', `${path}[${i}]`, `identity provider '${alias}' (${text(idp.providerId) ?? '?'}) is not supported: its users could not log in through it`);
        return;
      }
      const config = isObject(idp.config) ? Object.fromEntries(Object.entries(idp.config).map(([k, v]) => [k, String(v)])) : {};
      const settings = { providerId: text(idp.providerId), firstBrokerLoginFlowAlias: text(idp.firstBrokerLoginFlowAlias), postBrokerLoginFlowAlias: text(idp.postBrokerLoginFlowAlias), organizationId: text(idp.organizationId), config };
      for (const setting of unhonouredSettings(settings)) out.add(setting.verdict, `${path}[${i}].${setting.field}`, `identity provider '${alias}': ${setting.reason}`);
    }),
  identityProviderMappers: (value, path, _file, out) =>
    objects(value).forEach((mapper, i) => {
      if (!MAPPER_TYPES_BY_ID.has(text(mapper.identityProviderMapper) ?? '')) out.add('refused', `${path}[${i}]`, `identity provider mapper '${text(mapper.name) ?? '?'}' of type '${text(mapper.identityProviderMapper) ?? '?'}' is not applied: brokered users would miss what it maps`);
    }),
  userFederationProviders: refusedUnless('user federation is not supported: its users could not log in', []),
  userFederationMappers: refusedUnless('user federation is not supported', []),
  components: checkComponents,
  requiredActions: checkRequiredActions,
  authenticationFlows: checkFlows,
  authenticatorConfig: TAKEN, // judged with the flows that use it
  browserFlow: TAKEN,
  directGrantFlow: TAKEN,
  registrationFlow: ignoredUnless('holdfast registers users with its built-in registration form', 'registration'),
  resetCredentialsFlow: ignoredUnless('holdfast resets passwords with its built-in reset credentials steps', 'reset credentials'),
  clientAuthenticationFlow: ignoredUnless('clients authenticate with their secret', 'clients'),
  dockerAuthenticationFlow: ignoredUnless('holdfast has no Docker protocol', 'docker auth'),
  firstBrokerLoginFlow: ignoredUnless('holdfast runs its built-in first broker login for every identity provider', 'first broker login'),
  scopeMappings: TAKEN,
  clientScopeMappings: TAKEN,
  ...Object.fromEntries(Object.keys(OTP_DEFAULTS).map((name) => [name, TAKEN])),
  otpSupportedApplications: TAKEN, // only names the apps the OTP page suggests
  ...Object.fromEntries(Object.entries(WEBAUTHN_DEFAULTS).map(([name, value]) => [name, ignoredUnless(NO_WEBAUTHN, value)])),
  smtpServer: TAKEN,
  eventsEnabled: TAKEN,
  eventsExpiration: TAKEN,
  eventsListeners: TAKEN,
  enabledEventTypes: TAKEN,
  adminEventsEnabled: TAKEN,
  adminEventsDetailsEnabled: TAKEN,
  internationalizationEnabled: TAKEN,
  supportedLocales: TAKEN,
  defaultLocale: TAKEN,
  localizationTexts: TAKEN,
  displayNameHtml: ignoredUnless(NO_THEMES),
  // Keycloak's own themes are shown as holdfast's; another name needs that folder under --themes-dir.
  loginTheme: ignoredUnless('holdfast shows its own login theme unless a theme folder of that name is installed (--themes-dir)', 'keycloak', 'keycloak.v2'),
  accountTheme: ignoredUnless(NO_THEMES),
  adminTheme: ignoredUnless(NO_THEMES),
  emailTheme: ignoredUnless(NO_THEMES),
  browserSecurityHeaders: (value, path, _file, out) => {
    for (const [name, header] of Object.entries(isObject(value) ? value : {})) {
      const known = (BROWSER_SECURITY_HEADERS as Record<string, string>)[name];
      if (header !== known && !(known === undefined && isEmpty(header))) out.add('ignored', `${path}.${name}`, 'holdfast sends its own security headers');
    }
  },
  actionTokenGeneratedByAdminLifespan: TAKEN,
  actionTokenGeneratedByUserLifespan: TAKEN,
  maxSecondaryAuthFailures: ignoredUnless('OTP failures count with password failures in brute-force protection', 0),
  userManagedAccessAllowed: ignoredUnless('authorization services are not supported', false),
  adminPermissionsEnabled: ignoredUnless('fine-grained admin permissions are not supported: only the realm-management roles grant admin power', false),
  organizationsEnabled: ignoredUnless('organizations are not supported', false),
  organizations: ignoredUnless('organizations are not supported', []),
  verifiableCredentialsEnabled: ignoredUnless('verifiable credentials are not supported', false),
  scimApiEnabled: ignoredUnless('holdfast has no SCIM API', false),
};

function checkObject(rows: Record<string, Row>, rep: Json, path: string, file: Json, out: Collector): void {
  for (const [name, value] of Object.entries(rep)) {
    const at = path === '' ? name : `${path}.${name}`;
    const row = rows[name];
    if (row === TAKEN || value === undefined || value === null) continue;
    if (row === undefined) out.add('ignored', at, 'not a field holdfast knows');
    else if (typeof row === 'function') row(value, at, file, out);
    else if (!(row.defaults ?? []).some((d) => isDeepStrictEqual(d, value))) out.add(row.verdict, at, row.reason);
  }
}

// ---- clients and client scopes

const OIDC = 'openid-connect';

function checkMappers(mappers: unknown, path: string, out: Collector): Json[] {
  const supported: Json[] = [];
  objects(mappers).forEach((mapper, i) => {
    const type = text(mapper.protocolMapper) ?? '?';
    if ((text(mapper.protocol) ?? OIDC) !== OIDC) return;
    if (supportedMapperType(type)) supported.push(mapper);
    else out.add('refused', `${path}[${i}]`, `protocol mapper '${text(mapper.name) ?? '?'}' of type '${type}' is not supported: its claims would be missing from tokens`);
  });
  return supported;
}

function checkClientScope(scope: Json, path: string, out: Collector): void {
  // SAML scopes are kept but unused: no SAML client is served.
  if ((text(scope.protocol) ?? OIDC) === OIDC) checkMappers(scope.protocolMappers, `${path}.protocolMappers`, out);
}

/** Client attributes holdfast reads, or that only describe the client to people. */
const CLIENT_ATTRIBUTES_TAKEN = new Set([
  'access.token.lifespan',
  'client.session.idle.timeout',
  'client.session.max.lifespan',
  'client.offline.session.idle.timeout',
  'client.offline.session.max.lifespan',
  'pkce.code.challenge.method',
  'post.logout.redirect.uris',
  'use.refresh.tokens',
  'client_credentials.use_refresh_token',
  'exclude.session.state.from.auth.response',
  'exclude.issuer.from.auth.response',
  'token.response.type.bearer.lower-case',
  'client.secret.creation.time',
  'realm_client',
  'display.on.consent.screen',
  'consent.screen.text',
  'login_theme',
  'logoUri',
  'policyUri',
  'tosUri',
  // Signed client authentication (src/oidc/client-auth) and per-client signing algorithms.
  'jwks.url',
  'jwks.string',
  'use.jwks.url',
  'use.jwks.string',
  'jwt.credential.certificate',
  'token.endpoint.auth.signing.alg',
  'access.token.signed.response.alg',
  'id.token.signed.response.alg',
  'userinfo.token.signed.response.alg',
  // Standard token exchange (src/oidc/token/grants/token-exchange.ts).
  'standard.token.exchange.enabled',
  'standard.token.exchange.enableRefreshRequestedTokenType',
  // Back- and front-channel logout (src/oidc/backchannel-logout, frontchannel-logout).
  'backchannel.logout.url',
  'backchannel.logout.session.required',
  'backchannel.logout.revoke.offline.tokens',
  'frontchannel.logout.url',
  'frontchannel.logout.session.required',
  // DPoP (src/oidc/dpop).
  'dpop.bound.access.tokens',
  // acr requests (src/oidc/auth/acr.ts) and the rotated secret (admin client extras).
  'acr.loa.map',
  'default.acr.values',
  'minimum.acr.value',
  'client.secret.rotated',
  'client.secret.rotated.creation.time',
  'client.secret.rotated.expiration.time',
  // Request objects and pushed authorization requests (src/oidc/auth/request-object.ts, src/oidc/par).
  'request.object.signature.alg',
  'request.object.required',
  'request.uris',
  'require.pushed.authorization.requests',
  // The device authorization grant (src/oidc/device).
  'oauth2.device.authorization.grant.enabled',
  'oauth2.device.code.lifespan',
  'oauth2.device.polling.interval',
]);

/** Client attributes that bind or restrict tokens: dropping them would weaken the client. */
const CLIENT_ATTRIBUTES_REFUSED: Record<string, string> = {
  'tls.client.certificate.bound.access.tokens': 'certificate-bound tokens (mTLS) are not supported',
  'request.object.encryption.alg': 'encrypted request objects (JWE) are not supported: the client\'s encrypted requests would be refused',
  'request.object.encryption.enc': 'encrypted request objects (JWE) are not supported: the client\'s encrypted requests would be refused',
};

/** Attribute values that mean "off", as Keycloak writes them for a new client. */
const isOff = (value: unknown): boolean => isEmpty(value) || value === 'false';

const CLIENT_ROWS: Record<string, Row> = {
  ...Object.fromEntries(clientRepresentation.fields.map((name) => [name, TAKEN])),
  secret: (value, path, _file, out) => {
    if (value === MASKED_SECRET) out.add('ignored', path, 'the secret is masked, as a partial export writes it: the client gets a new secret');
  },
  // Judged by checkClient itself.
  protocolMappers: TAKEN,
  authenticationFlowBindingOverrides: TAKEN,
  surrogateAuthRequired: ignoredUnless('not used by holdfast', false),
  alwaysDisplayInConsole: ignoredUnless('holdfast has no account console', false),
  nodeReRegistrationTimeout: ignoredUnless('holdfast has no cluster node registration', -1, 0),
  authorizationServicesEnabled: refusedUnless('authorization services (resources, policies, permissions) are not supported', false),
  authorizationSettings: refusedUnless('authorization services (resources, policies, permissions) are not supported'),
  access: TAKEN, // the admin console's view of the caller's rights, not part of the client
  registeredNodes: ignoredUnless('holdfast has no cluster node registration', {}),
  defaultRoles: ignoredUnless('client default roles (before Keycloak 13) are not imported; use the realm default role', []),
  origin: TAKEN,
  attributes: (value, path, _file, out) => {
    const unused: string[] = [];
    for (const [name, attribute] of Object.entries(isObject(value) ? value : {})) {
      if (CLIENT_ATTRIBUTES_TAKEN.has(name) || isEmpty(attribute)) continue;
      const refusal = CLIENT_ATTRIBUTES_REFUSED[name];
      if (refusal !== undefined) {
        if (!isOff(attribute)) out.add('refused', `${path}.${name}`, refusal);
      } else unused.push(name);
    }
    if (unused.length > 0) out.add('ignored', path, `attributes holdfast does not use: ${unused.sort().join(', ')}`);
  },
};

const CLIENT_AUTHENTICATOR = 'client-secret';
/** What src/oidc/client-auth authenticates, as serverinfo lists it (no client-x509: no mutual TLS). */
const CLIENT_AUTHENTICATORS = new Set(clientAuthenticators.map((a) => a.id));

function checkClient(client: Json, path: string, file: Json, out: Collector): void {
  const name = text(client.clientId) ?? '?';
  if ((text(client.protocol) ?? OIDC) !== OIDC) {
    out.add('refused', `${path}.protocol`, `client '${name}' speaks ${text(client.protocol)}: holdfast speaks OpenID Connect only, and would answer it "Wrong client protocol."`);
    return;
  }
  const authenticator = text(client.clientAuthenticatorType) ?? CLIENT_AUTHENTICATOR;
  if (!CLIENT_AUTHENTICATORS.has(authenticator) && client.publicClient !== true && client.bearerOnly !== true) {
    out.add('refused', `${path}.clientAuthenticatorType`, `client '${name}' authenticates with '${authenticator}', which holdfast does not support: it could not authenticate`);
  }
  checkMappers(client.protocolMappers, `${path}.protocolMappers`, out);
  checkFlowOverrides(client.authenticationFlowBindingOverrides, `${path}.authenticationFlowBindingOverrides`, file, out);
  checkObject(CLIENT_ROWS, client, path, file, out);
}

// ---- users

const PASSWORD = 'password';
/** Credential types the login verifies (src/authn), or keeps for the password policy. */
const VERIFIED_CREDENTIALS = new Set([PASSWORD, 'otp', 'password-history']);

const USER_ROWS: Record<string, Row> = {
  ...Object.fromEntries(userFileRepresentation.fields.map((name) => [name, TAKEN])),
  credentials: (value, path, _file, out) =>
    objects(value).forEach((credential, i) => {
      const type = text(credential.type) ?? (credential.value !== undefined ? PASSWORD : undefined);
      if (type !== undefined && !VERIFIED_CREDENTIALS.has(type)) out.add('refused', `${path}[${i}]`, `a credential of type '${type}' is not verified at login: the user would log in with the password alone`);
    }),
  requiredActions: (value, path, _file, out) =>
    items(value).forEach((action, i) => {
      if (!RUNNABLE_REQUIRED_ACTIONS.has(String(action))) out.add('refused', `${path}[${i}]`, `required action '${String(action)}' cannot be run: the user could not log in until it is removed`);
    }),
  federationLink: refusedUnless('user federation is not supported: the user could not log in'),
  socialLinks: refusedUnless('links to identity providers are not supported', []),
  applicationRoles: ignoredUnless('client roles before Keycloak 2 are not imported; use clientRoles', {}),
  access: TAKEN,
  origin: TAKEN,
  self: TAKEN,
  userProfileMetadata: TAKEN,
};

function checkUser(user: Json, path: string, out: Collector): void {
  checkObject(USER_ROWS, user, path, {}, out);
}

// ---- components

const KEY_PROVIDER = 'org.keycloak.keys.KeyProvider';
const USER_PROFILE = 'org.keycloak.userprofile.UserProfileProvider';
const USER_STORAGE = 'org.keycloak.storage.UserStorageProvider';
const CLIENT_REGISTRATION_POLICY = 'org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy';
/** The client registration policies every Keycloak realm gets; they guard an endpoint holdfast does not have. */
const DEFAULT_REGISTRATION_POLICIES = new Set(['scope', 'max-clients', 'allowed-client-templates', 'registration-web-origins', 'consent-required', 'allowed-protocol-mappers', 'trusted-hosts']);

function checkComponents(value: unknown, path: string, _file: Json, out: Collector): void {
  for (const [type, list] of Object.entries(isObject(value) ? value : {})) {
    objects(list).forEach((component, i) => {
      const at = `${path}.${type}[${i}]`;
      const providerId = text(component.providerId) ?? '?';
      const label = `'${text(component.name) ?? '?'}' (${providerId})`;
      if (type === KEY_PROVIDER || type === USER_PROFILE) return;
      if (type === USER_STORAGE) out.add('refused', at, `user federation ${label} is not supported: its users could not log in`);
      else if (type === CLIENT_REGISTRATION_POLICY) {
        if (!DEFAULT_REGISTRATION_POLICIES.has(providerId)) out.add('ignored', at, `client registration policy ${label}: holdfast has no client registration endpoint`);
      } else out.add('ignored', at, `component ${label} of type ${type} is not supported`);
    });
  }
}

// ---- required actions

/** The required actions the login runs (src/authn/required-actions). */
const RUNNABLE_REQUIRED_ACTIONS: ReadonlySet<string> = new Set(REQUIRED_ACTION_STEPS.keys());

/** Keycloak 26's required-action providers. */
const BUILT_IN_REQUIRED_ACTIONS = new Set([
  'TERMS_AND_CONDITIONS',
  'UPDATE_PROFILE',
  'VERIFY_EMAIL',
  'CONFIGURE_TOTP',
  'UPDATE_PASSWORD',
  'delete_account',
  'UPDATE_EMAIL',
  'webauthn-register',
  'webauthn-register-passwordless',
  'VERIFY_PROFILE',
  'delete_credential',
  'idp_link',
  'CONFIGURE_RECOVERY_AUTHN_CODES',
  'update_user_locale',
]);

function checkRequiredActions(value: unknown, path: string, _file: Json, out: Collector): void {
  objects(value).forEach((action, i) => {
    const alias = text(action.alias) ?? text(action.providerId) ?? '?';
    if (action.enabled !== false && action.defaultAction === true && !RUNNABLE_REQUIRED_ACTIONS.has(alias)) {
      out.add('refused', `${path}[${i}]`, `required action '${alias}' is given to every new user, and holdfast cannot run it`);
    } else if (!BUILT_IN_REQUIRED_ACTIONS.has(alias)) out.add('ignored', `${path}[${i}]`, `required action '${alias}' is not available in holdfast`);
  });
}

// ---- authentication flows

/** Steps that check a username and password (or only find the user): what holdfast's login does. */
const PASSWORD_STEPS = new Set(['auth-username-password-form', 'auth-username-form', 'auth-password-form', 'direct-grant-validate-username', 'direct-grant-validate-password']);
/** Alternatives that never log in a user from scratch: an existing session, a redirect to an identity provider, organizations. */
const PASSIVE_STEPS = new Set(['auth-cookie', 'identity-provider-redirector', 'organization']);
/** Makes a conditional subflow run only for users who configured its credential (otp, webauthn): such credentials are refused with the user. */
const USER_CONFIGURED = 'conditional-user-configured';

type Strength = { kind: 'none' } | { kind: 'password' } | { kind: 'more'; step: string };
const NONE: Strength = { kind: 'none' };
const stronger = (a: Strength, b: Strength): Strength => (a.kind === 'more' ? a : b.kind === 'more' ? b : a.kind === 'password' ? a : b);

/**
 * What a flow asks of a user beyond holdfast's password login: `more` names a step holdfast
 * would skip. Required steps all count; alternatives count only when no step is required, and
 * then one password alternative is enough (Keycloak's rules for a level of a flow).
 */
function flowStrength(flow: Json, flows: Map<string, Json>, seen: Set<string>): Strength {
  const alias = text(flow.alias) ?? '';
  if (seen.has(alias)) return NONE;
  const inner = new Set(seen).add(alias);
  const executions = objects(flow.authenticationExecutions).filter((e) => e.requirement !== 'DISABLED');
  const step = (execution: Json): Strength => {
    if (execution.authenticatorFlow === true) {
      const sub = flows.get(text(execution.flowAlias) ?? '');
      return sub ? flowStrength(sub, flows, inner) : { kind: 'more', step: text(execution.flowAlias) ?? '?' };
    }
    const authenticator = text(execution.authenticator) ?? '?';
    if (PASSWORD_STEPS.has(authenticator)) return { kind: 'password' };
    if (PASSIVE_STEPS.has(authenticator) || authenticator.startsWith('conditional-')) return NONE;
    return { kind: 'more', step: authenticator };
  };
  const conditional = (execution: Json): Strength => {
    const sub = flows.get(text(execution.flowAlias) ?? '');
    if (!sub) return { kind: 'more', step: text(execution.flowAlias) ?? '?' };
    const conditions = objects(sub.authenticationExecutions)
      .filter((e) => e.requirement !== 'DISABLED')
      .map((e) => text(e.authenticator) ?? '');
    return conditions.includes(USER_CONFIGURED) ? NONE : flowStrength(sub, flows, inner);
  };
  const required = executions.filter((e) => e.requirement === 'REQUIRED' || e.requirement === 'CONDITIONAL');
  if (required.length > 0) return required.map((e) => (e.requirement === 'CONDITIONAL' ? conditional(e) : step(e))).reduce(stronger, NONE);
  const alternatives = executions.filter((e) => e.requirement === 'ALTERNATIVE').map(step);
  return alternatives.find((s) => s.kind === 'password') ?? alternatives.find((s) => s.kind === 'more') ?? NONE;
}

function flowIndex(file: Json): { byAlias: Map<string, Json>; byId: Map<string, Json> } {
  const flows = objects(file.authenticationFlows);
  return {
    byAlias: new Map(flows.map((f) => [text(f.alias) ?? '', f])),
    byId: new Map(flows.filter((f) => text(f.id) !== undefined).map((f) => [text(f.id)!, f])),
  };
}

function checkBoundFlow(flow: Json | undefined, binding: string, path: string, file: Json, out: Collector): void {
  if (!flow) return;
  const strength = flowStrength(flow, flowIndex(file).byAlias, new Set());
  if (strength.kind === 'more') {
    out.add('refused', path, `authentication flow '${text(flow.alias)}' (${binding}) requires '${strength.step}', which holdfast does not run: users would log in with a password alone`);
  }
}

/** The flows holdfast's logins stand in for: the browser login and the password grant. */
const BOUND_FLOWS = [
  ['browserFlow', 'browser', 'browser'],
  ['directGrantFlow', 'direct grant', 'direct_grant'],
] as const;

function checkFlows(value: unknown, path: string, file: Json, out: Collector): void {
  const { byAlias } = flowIndex(file);
  const bound = new Set<string>();
  for (const [field, fallback] of BOUND_FLOWS) {
    const alias = text(file[field]) ?? fallback;
    bound.add(alias);
    checkBoundFlow(byAlias.get(alias), field, field, file, out);
  }
  const overridden = new Set(objects(file.clients).flatMap((c) => Object.values(isObject(c.authenticationFlowBindingOverrides) ? c.authenticationFlowBindingOverrides : {})));
  objects(value).forEach((flow, i) => {
    const alias = text(flow.alias) ?? '?';
    if (flow.builtIn === true || flow.topLevel === false || bound.has(alias) || overridden.has(flow.id)) return;
    out.add('ignored', `${path}[${i}]`, `authentication flow '${alias}' is not used by holdfast`);
  });
}

function checkFlowOverrides(value: unknown, path: string, file: Json, out: Collector): void {
  const { byId } = flowIndex(file);
  for (const [binding, id] of Object.entries(isObject(value) ? value : {})) {
    if (isEmpty(id)) continue;
    if (BOUND_FLOWS.some(([, , name]) => name === binding)) checkBoundFlow(byId.get(String(id)), `${binding} override`, `${path}.${binding}`, file, out);
    else out.add('ignored', `${path}.${binding}`, `holdfast has no ${binding} flow`);
  }
}

/** Classifies a whole realm file (already checked by the realm-file shape). */
export function lossyParts(file: Json): LossyParts {
  const out = new Collector();
  checkObject(REALM_ROWS, file, '', file, out);
  return { refused: out.refused, ignored: out.ignored };
}

/** A file with parts holdfast cannot honour, imported without the operator's override: nothing was written. */
export class LossyImport extends Error {
  constructor(readonly parts: LossyParts) {
    super(`${parts.refused.length} part(s) of the file cannot be honoured; nothing was imported`);
  }
}

/** The parts listed one a line, for the CLI and the log. */
export function describeFindings(findings: Finding[]): string[] {
  return findings.map((f) => (f.path === '' ? f.reason : `${f.path}: ${f.reason}`));
}

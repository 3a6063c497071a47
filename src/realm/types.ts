/**
 * Realms, clients, users, roles and groups as the rest of holdfast sees them: parsed once when
 * loaded, named with Keycloak's JSON field names.
 */
import type { UPConfig } from './user-profile/index.ts';
import type { ProtocolMapper } from './protocol-mappers/mapper-model.ts';

/** Realm settings with Keycloak's names and meanings (see keycloak-compat.md §8.1). */
export interface RealmSettings {
  displayName?: string;
  enabled: boolean;
  sslRequired: 'external' | 'none' | 'all';
  accessTokenLifespan: number;
  accessTokenLifespanForImplicitFlow: number;
  accessCodeLifespan: number;
  accessCodeLifespanUserAction: number;
  accessCodeLifespanLogin: number;
  ssoSessionIdleTimeout: number;
  ssoSessionMaxLifespan: number;
  ssoSessionIdleTimeoutRememberMe: number;
  ssoSessionMaxLifespanRememberMe: number;
  offlineSessionIdleTimeout: number;
  offlineSessionMaxLifespanEnabled: boolean;
  offlineSessionMaxLifespan: number;
  clientSessionIdleTimeout: number;
  clientSessionMaxLifespan: number;
  clientOfflineSessionIdleTimeout: number;
  clientOfflineSessionMaxLifespan: number;
  revokeRefreshToken: boolean;
  refreshTokenMaxReuse: number;
  rememberMe: boolean;
  notBefore: number;
  bruteForceProtected: boolean;
  permanentLockout: boolean;
  maxTemporaryLockouts: number;
  bruteForceStrategy: 'MULTIPLE' | 'LINEAR';
  failureFactor: number;
  waitIncrementSeconds: number;
  maxFailureWaitSeconds: number;
  minimumQuickLoginWaitSeconds: number;
  quickLoginCheckMilliSeconds: number;
  maxDeltaTimeSeconds: number;
  registrationAllowed: boolean;
  /** Registration takes the e-mail address as the username (no username field). */
  registrationEmailAsUsername: boolean;
  /** Users with an unverified e-mail address verify it (VERIFY_EMAIL) before they log in. */
  verifyEmail: boolean;
  loginWithEmailAllowed: boolean;
  duplicateEmailsAllowed: boolean;
  resetPasswordAllowed: boolean;
  editUsernameAllowed: boolean;
  defaultSignatureAlgorithm: string;
  /** Keycloak's policy string (`length(8) and digits(1)`); parsed by src/authn/password-policy. */
  passwordPolicy?: string;
  otpPolicyType: 'totp' | 'hotp';
  otpPolicyAlgorithm: 'HmacSHA1' | 'HmacSHA256' | 'HmacSHA512';
  otpPolicyDigits: number;
  otpPolicyPeriod: number;
  otpPolicyLookAheadWindow: number;
  otpPolicyInitialCounter: number;
  otpPolicyCodeReusable: boolean;
  /** The realm's registered required actions (admin `/authentication/required-actions`). */
  requiredActions: RequiredActionProvider[];
  actionTokenGeneratedByUserLifespan: number;
  actionTokenGeneratedByAdminLifespan: number;
  /** Device grant (RFC 8628): seconds a device code lives, and the least seconds between polls. */
  oauth2DeviceCodeLifespan: number;
  oauth2DevicePollingInterval: number;
  /** Store user events (src/events); which ones: `enabledEventTypes`, empty meaning Keycloak's default set. */
  eventsEnabled: boolean;
  /** Seconds a stored user event is kept; absent: forever. */
  eventsExpiration?: number;
  eventsListeners: string[];
  enabledEventTypes: string[];
  adminEventsEnabled: boolean;
  /** Admin events carry the request's representation (secrets masked). */
  adminEventsDetailsEnabled: boolean;
  /** Keycloak's smtpServer map (src/mail); `password` is stored sealed under the realm's data key. */
  smtpServer: Record<string, string>;
  /** Login pages in the visitor's language (src/theme): one of `supportedLocales`, else `defaultLocale`, else English. */
  internationalizationEnabled: boolean;
  supportedLocales: string[];
  defaultLocale?: string;
  /** The login theme's folder name (src/theme); absent: the default theme. */
  loginTheme?: string;
  attributes: Record<string, string>;
}

/** Keycloak's RequiredActionProviderRepresentation: a required action registered in a realm. */
export interface RequiredActionProvider {
  alias: string;
  name: string;
  providerId: string;
  enabled: boolean;
  defaultAction: boolean;
  priority: number;
  config: Record<string, string>;
}

export interface Realm {
  id: string;
  name: string;
  settings: RealmSettings;
}

export interface Client {
  id: string;
  realmId: string;
  clientId: string;
  name?: string;
  description?: string;
  enabled: boolean;
  publicClient: boolean;
  bearerOnly: boolean;
  /** SHA-256 (hex) of the secret; the plaintext is never stored. */
  secretHash?: string;
  /** The secret sealed with the realm's AES key, so the admin API can show it. */
  secretSealed?: string;
  /** How a confidential client authenticates (Keycloak's authenticator ids); absent means `client-secret`. */
  clientAuthenticatorType?: 'client-secret' | 'client-jwt' | 'client-secret-jwt';
  redirectUris: string[];
  webOrigins: string[];
  rootUrl?: string;
  baseUrl?: string;
  adminUrl?: string;
  standardFlowEnabled: boolean;
  implicitFlowEnabled: boolean;
  directAccessGrantsEnabled: boolean;
  serviceAccountsEnabled: boolean;
  consentRequired: boolean;
  fullScopeAllowed: boolean;
  frontchannelLogout: boolean;
  protocol: string;
  attributes: Record<string, string>;
  defaultClientScopes: string[];
  optionalClientScopes: string[];
  notBefore: number;
  /** The client's own mappers; its tokens also get those of its granted scopes. */
  protocolMappers: ProtocolMapper[];
  /** Ids of the roles in its scope (Keycloak's scope mappings), which matter when `fullScopeAllowed` is false. */
  scopeMappings: string[];
  /** Cluster nodes the client's adapters registered (`registeredNodes`): host → seconds. */
  registeredNodes?: Record<string, number>;
  /** SHA-256 (hex) of the registration access token; the token is shown once. */
  registrationTokenHash?: string;
  /** The previous secret while it still authenticates after a rotation (Keycloak's `client.secret.rotated`). */
  rotatedSecret?: RotatedSecret;
}

export interface RotatedSecret {
  /** SHA-256 (hex) of the secret. */
  hash: string;
  /** The secret sealed with the realm's AES key, so the admin API can show it. */
  sealed: string;
  /** Seconds. */
  createdAt: number;
  /** Seconds; the rotated secret authenticates until then. */
  expiresAt: number;
}

export interface User {
  id: string;
  realmId: string;
  username: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  enabled: boolean;
  emailVerified: boolean;
  createdTimestamp: number;
  attributes: Record<string, string[]>;
  requiredActions: string[];
  notBefore: number;
  serviceAccountClientId?: string;
}

/**
 * What a user granted a `consentRequired` client on its consent screen (Keycloak's
 * UserConsentModel). Times are epoch milliseconds, as Keycloak's representation has them.
 */
export interface UserConsent {
  userId: string;
  clientUuid: string;
  /** Ids of the granted client scopes; the client's own id when it was shown as one. */
  grantedScopeIds: string[];
  createdDate: number;
  lastUpdatedDate: number;
}

/**
 * An identity provider of a realm as Keycloak models it (IdentityProviderRepresentation): the
 * upstream a user may log in with. `config` holds Keycloak's string settings (`clientId`,
 * `authorizationUrl`, `syncMode`, …) except the client secret, which only exists sealed.
 */
export interface IdentityProvider {
  internalId: string;
  realmId: string;
  alias: string;
  providerId: string;
  displayName?: string;
  enabled: boolean;
  trustEmail?: boolean;
  storeToken?: boolean;
  addReadTokenRoleOnCreate?: boolean;
  authenticateByDefault?: boolean;
  linkOnly?: boolean;
  hideOnLogin?: boolean;
  firstBrokerLoginFlowAlias?: string;
  postBrokerLoginFlowAlias?: string;
  config: Record<string, string>;
  /** The upstream client secret sealed with the realm's AES key; absent when none was given. */
  clientSecretSealed?: string;
}

/** A mapper of an identity provider (IdentityProviderMapperRepresentation). */
export interface IdentityProviderMapper {
  id: string;
  realmId: string;
  identityProviderAlias: string;
  name: string;
  identityProviderMapper: string;
  config: Record<string, string>;
}

/** A local user's link to an account at an identity provider (FederatedIdentityRepresentation). */
export interface FederatedIdentity {
  userId: string;
  realmId: string;
  identityProvider: string;
  federatedUserId: string;
  federatedUsername?: string;
  /** The upstream token response, sealed (src/broker/stored-token.ts), when the provider has `storeToken`. */
  token?: string;
}

export interface Role {
  id: string;
  realmId: string;
  /** Client UUID for client roles, undefined for realm roles. */
  clientId?: string;
  name: string;
  description?: string;
  /** Ids of the roles this composite role contains. */
  composites: string[];
  attributes: Record<string, string[]>;
}

/**
 * A group as Keycloak has them: a node of the realm's group tree whose members get its roles and
 * those of every group above it.
 */
export interface Group {
  id: string;
  realmId: string;
  /** The parent group's id; undefined for a top-level group. */
  parentId?: string;
  name: string;
  description?: string;
  attributes: Record<string, string[]>;
  /** Roles mapped to the group itself (not those inherited from its parents). */
  roleIds: string[];
  /** A default group: every user created through the admin API (or a service account) joins it. */
  defaultGroup: boolean;
}

/** Whether a client scope is one the realm hands to every new client, and how. */
export type RealmDefaultType = 'default' | 'optional';

/**
 * A client scope as Keycloak has them: a named set of claims (its protocol mappers) and roles (its
 * scope mappings) a client gets always (its default scopes) or when it asks with the `scope`
 * parameter (its optional scopes).
 */
export interface ClientScope {
  id: string;
  realmId: string;
  name: string;
  description?: string;
  protocol: string;
  attributes: Record<string, string>;
  protocolMappers: ProtocolMapper[];
  /** Ids of the roles the scope brings into the tokens of clients without full scope. */
  scopeMappings: string[];
  /** In the realm's `defaultDefaultClientScopes` or `defaultOptionalClientScopes`; undefined: neither. */
  realmDefault?: RealmDefaultType;
  /** Listing order within the realm (creation order): keeps `scope` strings stable. */
  position: number;
}

/** A realm's declarative user profile as stored: Keycloak keeps it as a component, whose id we keep. */
export interface StoredUserProfile {
  componentId: string;
  config: UPConfig;
}

/** Everything about a realm that requests need on every call, loaded and parsed once. */
export interface RealmModel {
  realm: Realm;
  clientsById: Map<string, Client>;
  clientsByClientId: Map<string, Client>;
  rolesById: Map<string, Role>;
  groupsById: Map<string, Group>;
  /** In `position` order. */
  clientScopesById: Map<string, ClientScope>;
  /** The stored user profile; undefined: Keycloak's default (see userProfileOf). */
  userProfile?: StoredUserProfile;
}

/**
 * Defaults of a new realm and a new client, as Keycloak 26 sets them (keycloak-compat.md §8).
 * "0 means the default" fields are normalised where they are used, in session/lifetimes.ts.
 */
import { builtInScopeNames } from './client-scopes.ts';
import { defaultRequiredActions } from './required-actions.ts';
import type { Client, RealmSettings } from './types.ts';

export const DEFAULT_REALM_SETTINGS: RealmSettings = {
  enabled: true,
  sslRequired: 'external',
  accessTokenLifespan: 300,
  accessTokenLifespanForImplicitFlow: 900,
  accessCodeLifespan: 60,
  accessCodeLifespanUserAction: 300,
  accessCodeLifespanLogin: 1800,
  ssoSessionIdleTimeout: 1800,
  ssoSessionMaxLifespan: 36000,
  ssoSessionIdleTimeoutRememberMe: 0,
  ssoSessionMaxLifespanRememberMe: 0,
  offlineSessionIdleTimeout: 2592000,
  offlineSessionMaxLifespanEnabled: false,
  offlineSessionMaxLifespan: 5184000,
  clientSessionIdleTimeout: 0,
  clientSessionMaxLifespan: 0,
  clientOfflineSessionIdleTimeout: 0,
  clientOfflineSessionMaxLifespan: 0,
  revokeRefreshToken: false,
  refreshTokenMaxReuse: 0,
  rememberMe: false,
  notBefore: 0,
  bruteForceProtected: false,
  permanentLockout: false,
  maxTemporaryLockouts: 0,
  bruteForceStrategy: 'MULTIPLE',
  failureFactor: 30,
  waitIncrementSeconds: 60,
  maxFailureWaitSeconds: 900,
  minimumQuickLoginWaitSeconds: 60,
  quickLoginCheckMilliSeconds: 1000,
  maxDeltaTimeSeconds: 43200,
  registrationAllowed: false,
  registrationEmailAsUsername: false,
  verifyEmail: false,
  loginWithEmailAllowed: true,
  duplicateEmailsAllowed: false,
  resetPasswordAllowed: false,
  editUsernameAllowed: false,
  defaultSignatureAlgorithm: 'RS256',
  otpPolicyType: 'totp',
  otpPolicyAlgorithm: 'HmacSHA1',
  otpPolicyDigits: 6,
  otpPolicyPeriod: 30,
  otpPolicyLookAheadWindow: 1,
  otpPolicyInitialCounter: 0,
  otpPolicyCodeReusable: false,
  requiredActions: defaultRequiredActions(),
  actionTokenGeneratedByUserLifespan: 300,
  actionTokenGeneratedByAdminLifespan: 43200,
  oauth2DeviceCodeLifespan: 600,
  oauth2DevicePollingInterval: 5,
  eventsEnabled: false,
  eventsListeners: ['jboss-logging'],
  enabledEventTypes: [],
  adminEventsEnabled: false,
  adminEventsDetailsEnabled: false,
  smtpServer: {},
  internationalizationEnabled: false,
  supportedLocales: [],
  attributes: {},
};

/** Client scopes every new OIDC client of a new realm gets (Keycloak 26 realm defaults). */
export const DEFAULT_CLIENT_SCOPES = builtInScopeNames('default');
export const OPTIONAL_CLIENT_SCOPES = builtInScopeNames('optional');

export function clientDefaults(): Omit<Client, 'id' | 'realmId' | 'clientId'> {
  return {
    enabled: true,
    publicClient: false,
    bearerOnly: false,
    redirectUris: [],
    webOrigins: [],
    standardFlowEnabled: true,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: false,
    consentRequired: false,
    fullScopeAllowed: true,
    frontchannelLogout: false,
    protocol: 'openid-connect',
    attributes: {},
    defaultClientScopes: [...DEFAULT_CLIENT_SCOPES],
    optionalClientScopes: [...OPTIONAL_CLIENT_SCOPES],
    notBefore: 0,
    protocolMappers: [],
    scopeMappings: [],
  };
}

/**
 * The identity provider kinds holdfast brokers, with the names Keycloak's admin API gives them
 * and, for the social presets, the fixed endpoints and the config key that moves them (so a test,
 * or a GitHub Enterprise, points them elsewhere); Microsoft's endpoints sit below its `tenantId`
 * (`common` when none is set), so a tenant's provider admits only that tenant's accounts. `oidc` and `keycloak-oidc` take their endpoints
 * from their config.
 */
export interface ProviderKind {
  id: string;
  name: string;
  /** Speaks OpenID Connect (ID token, JWKS): the generic flow applies. */
  openIdConnect: boolean;
  /** The social preset's endpoints below its base URL, when it has fixed ones. */
  preset?: SocialPreset;
}

export interface SocialPreset {
  /** The config key that overrides `defaultBaseUrl` (tests point it at a local stand-in). */
  baseUrlKey: string;
  defaultBaseUrl: string;
  /** The config key naming a tenant, the path segment after the base URL (Microsoft's `tenantId`), and its default. */
  tenant?: { key: string; default: string };
  authorizationPath: string;
  tokenPath: string;
  userInfoPath: string;
  defaultScope: string;
  /** Claim names of the upstream's profile answer. */
  claims: { id: string; username: string; email: string; firstName?: string; lastName?: string; name?: string };
}

const OIDC_CLAIMS = { id: 'sub', username: 'preferred_username', email: 'email', firstName: 'given_name', lastName: 'family_name' };

export const PROVIDER_KINDS: ReadonlyMap<string, ProviderKind> = new Map(
  (
    [
      { id: 'oidc', name: 'OpenID Connect v1.0', openIdConnect: true },
      { id: 'keycloak-oidc', name: 'Keycloak OpenID Connect', openIdConnect: true },
      {
        id: 'google',
        name: 'Google',
        openIdConnect: true,
        preset: { baseUrlKey: 'baseUrl', defaultBaseUrl: 'https://accounts.google.com', authorizationPath: '/o/oauth2/v2/auth', tokenPath: '/token', userInfoPath: '/v1/userinfo', defaultScope: 'openid profile email', claims: { ...OIDC_CLAIMS, username: 'email' } },
      },
      {
        id: 'microsoft',
        name: 'Microsoft',
        openIdConnect: true,
        preset: { baseUrlKey: 'baseUrl', defaultBaseUrl: 'https://login.microsoftonline.com', tenant: { key: 'tenantId', default: 'common' }, authorizationPath: '/oauth2/v2.0/authorize', tokenPath: '/oauth2/v2.0/token', userInfoPath: '/oidc/userinfo', defaultScope: 'openid profile email', claims: { ...OIDC_CLAIMS, username: 'email' } },
      },
      {
        id: 'gitlab',
        name: 'GitLab',
        openIdConnect: true,
        preset: { baseUrlKey: 'baseUrl', defaultBaseUrl: 'https://gitlab.com', authorizationPath: '/oauth/authorize', tokenPath: '/oauth/token', userInfoPath: '/oauth/userinfo', defaultScope: 'openid read_user', claims: { ...OIDC_CLAIMS, username: 'nickname' } },
      },
      {
        id: 'github',
        name: 'GitHub',
        openIdConnect: false,
        preset: { baseUrlKey: 'baseUrl', defaultBaseUrl: 'https://github.com', authorizationPath: '/login/oauth/authorize', tokenPath: '/login/oauth/access_token', userInfoPath: '/user', defaultScope: 'user:email', claims: { id: 'id', username: 'login', email: 'email', name: 'name' } },
      },
      {
        id: 'facebook',
        name: 'Facebook',
        openIdConnect: false,
        preset: { baseUrlKey: 'baseUrl', defaultBaseUrl: 'https://graph.facebook.com', authorizationPath: '/oauth/authorize', tokenPath: '/oauth/access_token', userInfoPath: '/me?fields=id,name,email,first_name,last_name', defaultScope: 'email', claims: { id: 'id', username: 'email', email: 'email', firstName: 'first_name', lastName: 'last_name' } },
      },
    ] satisfies ProviderKind[]
  ).map((kind) => [kind.id, kind]),
);

/** What a provider of each kind can be used for, as Keycloak lists it in `types`. */
export function providerUses(kind: ProviderKind): string[] {
  return kind.openIdConnect ? ['USER_AUTHENTICATION', 'CLIENT_ASSERTION', 'TRUST_MATERIAL', 'EXCHANGE_EXTERNAL_TOKEN', 'JWT_AUTHORIZATION_GRANT'] : ['USER_AUTHENTICATION', 'EXCHANGE_EXTERNAL_TOKEN'];
}

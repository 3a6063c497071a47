/**
 * Discovery (`.well-known/openid-configuration`) with Keycloak's field set, and the realm's
 * public information at `/realms/{realm}`. Only what holdfast implements is advertised.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { allowCors } from '../../http/cors.ts';
import { DEFAULT_CLIENT_SCOPES, OPTIONAL_CLIENT_SCOPES } from '../../realm/defaults.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import { parseLoaMap } from '../auth/index.ts';
import { DPOP_SIGNING_ALGORITHMS } from '../../crypto/index.ts';

// Keycloak's order; it also lists tls_client_auth, which holdfast does not implement.
const AUTH_METHODS = ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'client_secret_jwt'];
// Keycloak's order: client-assertion algorithms, asymmetric (client-jwt) and HMAC (client-secret-jwt).
const AUTH_SIGNING_ALGS = ['PS384', 'RS384', 'EdDSA', 'ES384', 'HS256', 'HS512', 'ES256', 'RS256', 'HS384', 'ES512', 'PS256', 'PS512', 'RS512'];
/**
 * What tokens and userinfo answers can be signed with, in Keycloak's order. Keycloak also lists
 * HS256/384/512 (signing with a realm HMAC key no relying party holds); holdfast signs them with
 * asymmetric keys only.
 */
const TOKEN_SIGNING_ALGS = AUTH_SIGNING_ALGS.filter((alg) => !alg.startsWith('HS'));
/** Keycloak's list and order; `none` answers only `state`, `session_state` and `iss`. */
const RESPONSE_TYPES = ['code', 'none', 'id_token', 'token', 'id_token token', 'code id_token', 'code token', 'code id_token token'];

/** The realm's named levels (`acr.loa.map`), then the two levels every login reaches, as Keycloak lists them. */
function acrValuesSupported(realm: LoadedRealm): string[] {
  const named = parseLoaMap(realm.realm.settings.attributes['acr.loa.map'])?.keys() ?? [];
  return [...new Set([...named, '0', '1'])];
}

export function openidConfiguration(issuer: string, realm: LoadedRealm): Record<string, unknown> {
  const oidc = `${issuer}/protocol/openid-connect`;
  return {
    issuer,
    authorization_endpoint: `${oidc}/auth`,
    token_endpoint: `${oidc}/token`,
    introspection_endpoint: `${oidc}/token/introspect`,
    userinfo_endpoint: `${oidc}/userinfo`,
    end_session_endpoint: `${oidc}/logout`,
    frontchannel_logout_session_supported: true,
    frontchannel_logout_supported: true,
    jwks_uri: `${oidc}/certs`,
    check_session_iframe: `${oidc}/login-status-iframe.html`,
    grant_types_supported: ['authorization_code', 'client_credentials', 'implicit', 'password', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:token-exchange'],
    acr_values_supported: acrValuesSupported(realm),
    response_types_supported: RESPONSE_TYPES,
    subject_types_supported: ['public'],
    prompt_values_supported: realm.realm.settings.registrationAllowed ? ['none', 'login', 'consent', 'create'] : ['none', 'login', 'consent'],
    id_token_signing_alg_values_supported: TOKEN_SIGNING_ALGS,
    userinfo_signing_alg_values_supported: [...TOKEN_SIGNING_ALGS, 'none'],
    // Request objects (src/oidc/auth/request-object.ts): the client-assertion algorithms, and `none` for a client configured with it.
    request_object_signing_alg_values_supported: [...AUTH_SIGNING_ALGS, 'none'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: AUTH_SIGNING_ALGS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: AUTH_SIGNING_ALGS,
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'name', 'given_name', 'family_name', 'preferred_username', 'email', 'acr', 'azp', 'nonce'],
    claim_types_supported: ['normal'],
    // Read for its `acr` request only, as Keycloak's default mappers do.
    claims_parameter_supported: true,
    scopes_supported: ['openid', ...new Set([...DEFAULT_CLIENT_SCOPES, ...OPTIONAL_CLIENT_SCOPES])].filter((s) => s !== 'organization' && s !== 'microprofile-jwt'),
    request_parameter_supported: true,
    request_uri_parameter_supported: true,
    require_request_uri_registration: true,
    code_challenge_methods_supported: ['plain', 'S256'],
    tls_client_certificate_bound_access_tokens: false,
    dpop_signing_alg_values_supported: DPOP_SIGNING_ALGORITHMS,
    revocation_endpoint: `${oidc}/revoke`,
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: AUTH_SIGNING_ALGS,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    pushed_authorization_request_endpoint: `${oidc}/ext/par/request`,
    // Keycloak requires PAR per client (`require.pushed.authorization.requests`), never realm-wide.
    device_authorization_endpoint: `${oidc}/auth/device`,
    require_pushed_authorization_requests: false,
    authorization_response_iss_parameter_supported: true,
  };
}

export async function discoveryRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/realms/:realm/.well-known/openid-configuration', { config: { endpoint: 'discovery' } }, async (request, reply) => {
    const { realm, issuer } = await resolveRealm(ctx, request);
    allowCors(request, reply, undefined, ['*']);
    return openidConfiguration(issuer, realm);
  });

  app.get('/realms/:realm', { config: { endpoint: 'realm' } }, async (request, reply) => {
    const { realm, issuer } = await resolveRealm(ctx, request);
    allowCors(request, reply, undefined, ['*']);
    return {
      realm: realm.realm.name,
      public_key: realm.keys.publicKeyDer,
      'token-service': `${issuer}/protocol/openid-connect`,
      'account-service': `${issuer}/account`,
      'tokens-not-before': realm.realm.settings.notBefore,
    };
  });
}

/**
 * Builds and signs the tokens of a token response: the access token and ID token (realm RSA key)
 * and the refresh token (realm HMAC key), with Keycloak's claims and `jti` context prefixes.
 * Signing is the only expensive step; everything else here is object building.
 */
import { randomUUID } from 'node:crypto';
import { atHash, signAsymmetric, signHmac, type JwtClaims } from '../../crypto/index.ts';
import type { Client } from '../../realm/types.ts';
import type { LoadedRealm, UserView } from '../../realm/realm-service.ts';
import { allowedOrigins } from '../../realm/redirect-uri.ts';
import { accessTokenExpiry, refreshTokenExpiry } from '../../session/lifetimes.ts';
import type { ClientSession, UserSession } from '../../session/types.ts';
import { profileClaims, roleClaims } from './user-claims.ts';
import type { GrantedScopes } from './scopes.ts';

/** Keycloak's grant shortcuts for the `jti` context (26.2+); `na` for tokens sent from the authorization endpoint. */
export type GrantShortcut = 'ac' | 'ro' | 'rt' | 'cc' | 'na';

/**
 * Tokens that go back through the browser (implicit and hybrid flows): an ID token only when the
 * response type asks for one, whatever the scope, with the hashes OIDC Core 3.3.2.11 binds it to
 * the rest of the response with (`at_hash` only next to an access token, `c_hash` next to a code,
 * and Keycloak's `s_hash` of the state).
 */
export interface FrontChannelTokens {
  idToken: boolean;
  accessToken: boolean;
  code?: string;
  state?: string;
}

export interface IssueRequest {
  realm: LoadedRealm;
  issuer: string;
  client: Client;
  user: UserView;
  /** Absent for client_credentials' transient session: no `sid`, no refresh token. */
  session?: UserSession;
  /** The session is transient (never stored): `tr` tokens that name it, which no refresh will find. */
  transientSession?: boolean;
  clientSession?: ClientSession;
  scopes: GrantedScopes;
  grant: GrantShortcut;
  nonce?: string;
  authTime?: number;
  acr: string;
  now: number;
  includeRefreshToken: boolean;
  /** Refresh keeps the old refresh token's scope in the new refresh token. */
  refreshScope?: string;
  /** Claims of service-account tokens (`clientHost`, `clientAddress`). */
  extraClaims?: JwtClaims;
  /** The implicit flow: the access token lives `accessTokenLifespanForImplicitFlow`. */
  implicitFlow?: boolean;
  frontChannel?: FrontChannelTokens;
}

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_expires_in: number;
  refresh_token?: string;
  token_type: string;
  id_token?: string;
  'not-before-policy': number;
  session_state?: string;
  scope: string;
}

export interface IssuedTokens {
  response: TokenResponse;
  accessClaims: JwtClaims;
  refreshClaims?: JwtClaims;
}

function sessionType(session: UserSession | undefined, transientSession: boolean | undefined): string {
  if (!session || transientSession) return 'tr';
  return session.offline ? 'of' : 'on';
}

export async function issueTokens(request: IssueRequest): Promise<IssuedTokens> {
  const { realm, issuer, client, user, session, clientSession, scopes, now } = request;
  const settings = realm.realm.settings;
  const exp = accessTokenExpiry(settings, client, session, clientSession, now, request.implicitFlow);
  const frontChannel = request.frontChannel;
  const { claims: roles, audience } = roleClaims(user, client, scopes.names);
  const authTime = request.authTime ?? session?.authTime;

  const access: JwtClaims = {
    exp,
    iat: now,
    ...(authTime !== undefined && scopes.names.has('basic') ? { auth_time: authTime } : {}),
    jti: `${sessionType(session, request.transientSession)}rt${request.grant}:${randomUUID()}`,
    iss: issuer,
    ...(audience.length === 1 ? { aud: audience[0] } : audience.length > 1 ? { aud: audience } : {}),
    sub: user.user.id,
    typ: 'Bearer',
    azp: client.clientId,
    ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
    ...(session && scopes.names.has('basic') ? { sid: session.id } : {}),
    ...(scopes.names.has('acr') ? { acr: request.acr } : {}),
    ...(scopes.names.has('web-origins') && client.webOrigins.length > 0 ? { 'allowed-origins': allowedOrigins(client) } : {}),
    ...roles,
    scope: scopes.value,
    ...profileClaims(user, scopes.names),
  };
  if (user.user.serviceAccountClientId) {
    Object.assign(access, request.extraClaims, { client_id: client.clientId });
  }
  const accessToken = await signAsymmetric(access, realm.keys, client.attributes['access.token.signed.response.alg']);

  let idToken: string | undefined;
  if (frontChannel ? frontChannel.idToken : scopes.names.has('openid')) {
    idToken = await signAsymmetric(
      {
        exp,
        iat: now,
        ...(authTime !== undefined ? { auth_time: authTime } : {}),
        jti: randomUUID(),
        iss: issuer,
        aud: client.clientId,
        sub: user.user.id,
        typ: 'ID',
        azp: client.clientId,
        ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
        ...(session ? { sid: session.id } : {}),
        ...(!frontChannel || frontChannel.accessToken ? { at_hash: atHash(accessToken) } : {}),
        ...(frontChannel?.code !== undefined ? { c_hash: atHash(frontChannel.code) } : {}),
        acr: request.acr,
        ...(frontChannel?.state !== undefined ? { s_hash: atHash(frontChannel.state) } : {}),
        ...profileClaims(user, scopes.names),
      },
      realm.keys,
      client.attributes['id.token.signed.response.alg'],
    );
  }

  let refreshToken: string | undefined;
  let refreshClaims: JwtClaims | undefined;
  let refreshExp: number | undefined;
  if (request.includeRefreshToken && session && clientSession) {
    refreshExp = refreshTokenExpiry(settings, client, session, clientSession);
    refreshClaims = {
      ...(refreshExp !== undefined ? { exp: refreshExp } : {}),
      iat: now,
      jti: randomUUID(),
      iss: issuer,
      aud: issuer,
      sub: user.user.id,
      typ: session.offline ? 'Offline' : 'Refresh',
      azp: client.clientId,
      ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
      sid: session.id,
      scope: request.refreshScope ?? scopes.value,
    };
    refreshToken = await signHmac(refreshClaims, realm.keys);
  }

  const lowerCaseBearer = client.attributes['token.response.type.bearer.lower-case'] === 'true';
  const notBefore = Math.max(settings.notBefore, client.notBefore, user.user.notBefore);
  const response: TokenResponse = {
    access_token: accessToken,
    expires_in: exp - now,
    refresh_expires_in: refreshToken ? (refreshExp === undefined ? 0 : refreshExp - now) : 0,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    token_type: lowerCaseBearer ? 'bearer' : 'Bearer',
    ...(idToken ? { id_token: idToken } : {}),
    'not-before-policy': notBefore,
    ...(session ? { session_state: session.id } : {}),
    scope: scopes.value,
  };
  return { response, accessClaims: access, refreshClaims };
}

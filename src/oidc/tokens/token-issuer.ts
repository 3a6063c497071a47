/**
 * Builds and signs the tokens of a token response: the access token and ID token (realm RSA key)
 * and the refresh token (realm HMAC key), with Keycloak's claims and `jti` context prefixes. The
 * user's claims come from the protocol mappers of the client and its granted scopes, resolved
 * once per (client, scope set) in the realm cache. Signing is the only expensive step; everything
 * else here is object building.
 */
import { randomUUID } from 'node:crypto';
import { atHash, halfHash, signAsymmetric, signHmac, signingKeyOf, type JwtClaims } from '../../crypto/index.ts';
import type { Client } from '../../realm/types.ts';
import { claimPlanOf, type LoadedRealm, type UserView } from '../../realm/realm-service.ts';
import type { ClaimPlan, EffectiveRoles, MapperInput } from '../../realm/index.ts';
import { accessTokenExpiry, refreshTokenExpiry } from '../../session/lifetimes.ts';
import type { ClientSession, UserSession } from '../../session/types.ts';
import { audienceClaim, mappedClaims, mapperInput, orderedClaims, sessionNotes, userinfoClaims } from './mapped-claims.ts';
import type { GrantedScopes } from './scopes.ts';

/** Keycloak's grant shortcuts for the `jti` context (26.2+); `na` for tokens sent from the authorization endpoint. */
export type GrantShortcut = 'ac' | 'ro' | 'rt' | 'cc' | 'te' | 'dg' | 'na';

/**
 * Tokens that go back through the browser (implicit and hybrid flows): an ID token only when the
 * response type asks for one, whatever the scope, with the hashes OIDC Core 3.3.2.11 binds it to
 * the rest of the response with (`at_hash` only next to an access token, `c_hash` next to a code,
 * and Keycloak's `s_hash` of the state).
 */
/** Keycloak's refresh-token claim naming a token exchange's requested audience, so refreshes keep it. */
export const REQUESTED_AUDIENCE_CLAIM = 'req-aud';

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
  /** The client session is never stored (a token exchange's access token): `nt`/`ft` tokens, valid while the user session is. */
  transientClientSession?: boolean;
  /** A token exchange's `audience`: the access token's `aud` keeps only these, and its refresh token remembers them (`req-aud`). */
  requestedAudience?: readonly string[];
  /** Sees the access token's claims before anything is signed, and may refuse them (by throwing). */
  beforeSign?: (access: JwtClaims) => void;
  scopes: GrantedScopes;
  grant: GrantShortcut;
  nonce?: string;
  authTime?: number;
  acr: string;
  now: number;
  includeRefreshToken: boolean;
  /** Refresh keeps the old refresh token's scope in the new refresh token. */
  refreshScope?: string;
  /** Claims of service-account tokens (`clientHost`, `clientAddress`), also their session notes. */
  extraClaims?: Record<string, string>;
  /** The implicit flow: the access token lives `accessTokenLifespanForImplicitFlow`. */
  implicitFlow?: boolean;
  frontChannel?: FrontChannelTokens;
  /** The JWK thumbprint of the request's DPoP proof: the access token (and a public client's refresh token) is bound to it. */
  dpopThumbprint?: string;
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

/** An access token's `typ`, which is also the response's `token_type`. */
function tokenTypeOf(request: { dpopThumbprint?: string }): 'DPoP' | 'Bearer' {
  return request.dpopThumbprint !== undefined ? 'DPoP' : 'Bearer';
}

/** `cnf` of a DPoP-bound token, as Keycloak 26.7 writes it (with its own `kc-jkt-type` member). */
function dpopConfirmation(thumbprint: string): JwtClaims {
  return { jkt: thumbprint, 'kc-jkt-type': 'DPoP' };
}

function sessionType(request: ClaimsRequest): string {
  const { session } = request;
  if (!session || request.transientSession) return 'tr';
  if (request.transientClientSession) return session.offline ? 'ft' : 'nt';
  return session.offline ? 'of' : 'on';
}

/** Keycloak keeps the audiences mappers gave that were also requested (none left: no `aud`). */
function restrictedAudience(audience: string[], requested: readonly string[] | undefined): string[] {
  return requested === undefined ? audience : audience.filter((a) => requested.includes(a));
}

/** What the access and ID token of one request share: its mapper plan and the user as mappers see them. */
interface ClaimsContext {
  plan: ClaimPlan;
  input: MapperInput;
  exp: number;
  serviceAccount?: Record<string, string>;
}

function claimsContext(request: ClaimsRequest): ClaimsContext {
  const { realm, client, user, session, clientSession, scopes, now } = request;
  const exp = accessTokenExpiry(realm.realm.settings, client, session, clientSession, now, request.implicitFlow);
  const plan = claimPlanOf(realm, client, scopes.names);
  const serviceAccount = user.user.serviceAccountClientId ? { ...request.extraClaims, client_id: client.clientId } : undefined;
  const input = mapperInput(realm, client, plan, user, request.acr, sessionNotes(request.authTime ?? session?.authTime, serviceAccount, session?.notes));
  if (request.requestedAudience !== undefined) input.roles = audienceRoles(input.roles, request.requestedAudience);
  return { plan, input, exp, serviceAccount };
}

/** A requested audience keeps the realm roles and only the audience clients' roles, as Keycloak's exchange does. */
function audienceRoles(roles: EffectiveRoles, audience: readonly string[]): EffectiveRoles {
  const clientRoles: Record<string, string[]> = {};
  for (const clientId of audience) if (Object.hasOwn(roles.clientRoles, clientId)) clientRoles[clientId] = roles.clientRoles[clientId];
  return { realmRoles: roles.realmRoles, clientRoles };
}

/** The fields of an IssueRequest that decide the claims (evaluate-scopes builds examples from them). */
export type ClaimsRequest = Omit<IssueRequest, 'includeRefreshToken' | 'refreshScope' | 'beforeSign'>;

function accessClaims(request: ClaimsRequest, context: ClaimsContext): JwtClaims {
  const { issuer, client, session, scopes, now } = request;
  const mapped = mappedClaims(context.plan, 'access', context.input);
  return orderedClaims(
    {
      exp: context.exp,
      iat: now,
      jti: `${sessionType(request)}rt${request.grant}:${randomUUID()}`,
      iss: issuer,
      ...audienceClaim(restrictedAudience(mapped.audience, request.requestedAudience)),
      typ: tokenTypeOf(request),
      azp: client.clientId,
      // Keycloak 25+ puts the nonce only in the ID token of the authentication (OIDC Core 3.1.3.6).
      ...(session ? { sid: session.id } : {}),
      ...(request.dpopThumbprint !== undefined ? { cnf: dpopConfirmation(request.dpopThumbprint) } : {}),
      scope: scopes.value,
      // Service accounts have no `service_account` scope here: their notes are claims as Keycloak's scope makes them.
      ...context.serviceAccount,
    },
    mapped.claims,
  );
}

function idClaims(request: ClaimsRequest, context: ClaimsContext, accessToken: string | undefined): JwtClaims {
  const { issuer, client, user, session, now } = request;
  const mapped = mappedClaims(context.plan, 'id', context.input);
  // The implicit and hybrid flows' hashes use the hash of the ID token's own algorithm.
  const front = request.frontChannel;
  const idKey = signingKeyOf(request.realm.keys, client.attributes['id.token.signed.response.alg']);
  const idAlgorithm = idKey.algorithm;
  return orderedClaims(
    {
      exp: context.exp,
      iat: now,
      jti: randomUUID(),
      iss: issuer,
      ...audienceClaim([client.clientId, ...mapped.audience.filter((a) => a !== client.clientId)]),
      sub: user.user.id,
      typ: 'ID',
      azp: client.clientId,
      ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
      ...(session ? { sid: session.id } : {}),
      ...(accessToken !== undefined ? { at_hash: atHash(accessToken, request.realm.keys) } : {}),
      ...(front?.code !== undefined ? { c_hash: halfHash(front.code, idAlgorithm, idKey.privateKey) } : {}),
      ...(front?.state !== undefined ? { s_hash: halfHash(front.state, idAlgorithm, idKey.privateKey) } : {}),
    },
    mapped.claims,
  );
}

/** The claims a request's access token, ID token and userinfo would carry, unsigned (evaluate-scopes). */
export function exampleClaims(request: ClaimsRequest): { access: JwtClaims; id: JwtClaims; userinfo: JwtClaims } {
  const context = claimsContext(request);
  return { access: accessClaims(request, context), id: idClaims(request, context, undefined), userinfo: userinfoClaims(context.plan, context.input) };
}

export async function issueTokens(request: IssueRequest): Promise<IssuedTokens> {
  const { realm, issuer, client, user, session, clientSession, scopes, now } = request;
  const settings = realm.realm.settings;
  const context = claimsContext(request);
  const { plan, input, exp } = context;
  const frontChannel = request.frontChannel;
  const access = accessClaims(request, context);
  request.beforeSign?.(access);
  const accessToken = await signAsymmetric(access, realm.keys, client.attributes['access.token.signed.response.alg']);
  const idTokenWanted = frontChannel ? frontChannel.idToken : scopes.names.has('openid');
  const idToken = idTokenWanted
    ? await signAsymmetric(idClaims(request, context, !frontChannel || frontChannel.accessToken ? accessToken : undefined), realm.keys, client.attributes['id.token.signed.response.alg'])
    : undefined;

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
      sid: session.id,
      // RFC 9449 section 5: a confidential client's refresh token is already constrained by its authentication.
      ...(request.dpopThumbprint !== undefined && client.publicClient ? { cnf: dpopConfirmation(request.dpopThumbprint) } : {}),
      scope: request.refreshScope ?? scopes.value,
      ...(request.requestedAudience !== undefined ? { [REQUESTED_AUDIENCE_CLAIM]: [...request.requestedAudience] } : {}),
      // Keycloak keeps the login's acr in the client session and every refresh repeats it; the
      // token carries it here, so a refresh after a password grant still says 1 and after SSO 0.
      acr: request.acr,
    };
    refreshToken = await signHmac(refreshClaims, realm.keys);
  }

  const lowerCaseTokenType = client.attributes['token.response.type.bearer.lower-case'] === 'true';
  const notBefore = Math.max(settings.notBefore, client.notBefore, user.user.notBefore);
  const response: TokenResponse = {
    access_token: accessToken,
    expires_in: exp - now,
    refresh_expires_in: refreshToken ? (refreshExp === undefined ? 0 : refreshExp - now) : 0,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    token_type: lowerCaseTokenType ? tokenTypeOf(request).toLowerCase() : tokenTypeOf(request),
    ...(idToken ? { id_token: idToken } : {}),
    'not-before-policy': notBefore,
    ...(session ? { session_state: session.id } : {}),
    scope: scopes.value,
  };
  // Mappers with `access.tokenResponse.claim` add fields to the response, never replace its own.
  for (const [name, value] of Object.entries(mappedClaims(plan, 'response', input).claims)) if (!(name in response)) (response as unknown as Record<string, unknown>)[name] = value;
  return { response, accessClaims: access, refreshClaims };
}

/**
 * `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693) as Keycloak 26's
 * standard token exchange (v2): a confidential client with `standard.token.exchange.enabled`
 * trades an access token it was sent (it must be in the token's `aud`, or its `azp`) for one of its
 * own, for the same user and session, optionally narrowed to the `audience` clients it names.
 *
 * The exchanged access token rides on the subject's user session through a client session that
 * is never stored (`nt`, or `ft` on an offline session: valid while the user session is); a
 * subject token without a session gets a transient one (`tr`, no `sid`). Only a refresh token
 * (`standard.token.exchange.enableRefreshRequestedTokenType` = `SAME_SESSION`) attaches a real
 * client session, which refreshes as any other. Checks run in Keycloak's order, each failure with
 * its error, description and event error.
 */
import type { JwtClaims } from '../../../crypto/index.ts';
import { accessDenied, invalidClient, invalidRequest, invalidScope, OAuthError } from '../../../errors/index.ts';
import { scopeGrantOf, type Client } from '../../../realm/index.ts';
import type { ClientSession, UserSession } from '../../../session/types.ts';
import { checkAccessToken, grantScopes, type AccessTokenClaims, type TokenResponse } from '../../tokens/index.ts';
import { respondWithTokens, usesRefreshTokens, type GrantHandler, type GrantRequest } from './grant.ts';

export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** Keycloak reads `audience` and `resource` as lists; every other parameter may appear once. */
export const TOKEN_EXCHANGE_REPEATABLE: ReadonlySet<string> = new Set(['audience', 'resource']);

const TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:';
export const ACCESS_TOKEN_TYPE = `${TOKEN_TYPE}access_token`;
export const REFRESH_TOKEN_TYPE = `${TOKEN_TYPE}refresh_token`;
export const ID_TOKEN_TYPE = `${TOKEN_TYPE}id_token`;
const SAML2_TOKEN_TYPE = `${TOKEN_TYPE}saml2`;

/** The client attributes that enable the exchange and its refresh tokens (Keycloak's values). */
export const STANDARD_EXCHANGE_ATTRIBUTE = 'standard.token.exchange.enabled';
export const EXCHANGE_REFRESH_ATTRIBUTE = 'standard.token.exchange.enableRefreshRequestedTokenType';

/** Parameters of Keycloak's other exchange kinds (legacy v1, federated), refused by name. */
const OTHER_EXCHANGE_PARAMETERS = ['requested_subject', 'requested_issuer', 'subject_issuer'];

/** The exchange's response: the token response plus RFC 8693's `issued_token_type`. */
type ExchangeResponse = TokenResponse & { issued_token_type: string };

/** A refusal with Keycloak's event error and `reason` detail as well as the client's error. */
function refuse(grant: GrantRequest, eventError: string, reason: string, error: OAuthError): OAuthError {
  grant.event.detail('reason', reason).error(eventError);
  return error;
}

/** Keycloak's `supports` checks: the first that fails names why no exchange applies. */
function assertStandardExchange(grant: GrantRequest): { subjectToken: string } {
  const { client, form } = grant;
  for (const name of OTHER_EXCHANGE_PARAMETERS) {
    if (form.has(name)) throw invalidRequest(`Parameter '${name}' is not supported for standard token exchange`);
  }
  if (client.attributes[STANDARD_EXCHANGE_ATTRIBUTE] !== 'true') throw invalidRequest('Standard token exchange is not enabled for the requested client');
  const subjectToken = form.get('subject_token');
  if (subjectToken === undefined) throw invalidRequest("Parameter 'subject_token' required for standard token exchange");
  const subjectTokenType = form.get('subject_token_type');
  if (subjectTokenType === undefined) throw invalidRequest("Parameter 'subject_token_type' required for standard token exchange");
  if (subjectTokenType !== ACCESS_TOKEN_TYPE) throw invalidRequest("Parameter 'subject_token' supports access tokens only");
  return { subjectToken };
}

/** `requested_token_type`: access token by default; a refresh token only where the client allows one. */
function requestedTokenType(grant: GrantRequest): string {
  const asked = grant.form.get('requested_token_type');
  if (asked === undefined) return ACCESS_TOKEN_TYPE;
  if (asked === ACCESS_TOKEN_TYPE || asked === ID_TOKEN_TYPE || asked === SAML2_TOKEN_TYPE) return asked;
  const client = grant.client;
  if (asked === REFRESH_TOKEN_TYPE && usesRefreshTokens(client) && client.attributes[EXCHANGE_REFRESH_ATTRIBUTE] === 'SAME_SESSION') return asked;
  throw refuse(grant, 'invalid_request', 'requested_token_type unsupported', invalidRequest('requested_token_type unsupported'));
}

/** The `audience` clients, every one of them known; none named means the requester itself. */
function audienceClients(grant: GrantRequest): Client[] {
  const clients: Client[] = [];
  for (const clientId of grant.form.getAll('audience')) {
    const target = grant.realm.clientsByClientId.get(clientId);
    if (!target) {
      grant.event.detail('audience', clientId);
      throw refuse(grant, 'client_not_found', 'audience not found', invalidClient('Audience not found', 400));
    }
    clients.push(target);
  }
  return clients.length > 0 ? clients : [grant.client];
}

const audienceOf = (claims: JwtClaims): string[] => (typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud.filter((a): a is string => typeof a === 'string') : []);

function assertAudience(grant: GrantRequest, subject: AccessTokenClaims, targets: Client[]): void {
  const { client } = grant;
  if (client.publicClient) {
    const message = 'Public client is not allowed to exchange token';
    throw refuse(grant, 'invalid_client', message, invalidClient(message, 400));
  }
  for (const target of targets) {
    if (!target.enabled) {
      grant.event.detail('audience', target.clientId);
      throw refuse(grant, 'client_disabled', 'audience client disabled', invalidClient('Client disabled', 400));
    }
  }
  if (subject.azp !== client.clientId && !audienceOf(subject).includes(client.clientId)) {
    throw refuse(grant, 'not_allowed', 'client is not within the token audience', accessDenied('Client is not within the token audience'));
  }
}

/**
 * Refuses the exchanged access token if it lacks a requested audience: the requester's scopes and
 * roles decide its `aud`, the request only narrows it. The event lists the audience it got.
 */
function checkIssuedAudience(grant: GrantRequest, requested: readonly string[] | undefined): (access: JwtClaims) => void {
  return (access) => {
    const granted = audienceOf(access);
    const missing = requested === undefined ? [] : [...new Set(requested)].filter((a) => !granted.includes(a));
    if (missing.length > 0) {
      const message = `Requested audience not available: ${missing.join(', ')}`;
      throw refuse(grant, 'invalid_request', message, invalidRequest(message));
    }
    if (granted.length > 0) grant.event.detail('audience', granted.join(' '));
  };
}

export const tokenExchangeGrant: GrantHandler = async (grant) => {
  const { ctx, realm, issuer, client, form, event } = grant;
  event.detail('auth_method', 'token_exchange');
  const { subjectToken } = assertStandardExchange(grant);
  event.detail('requested_token_type', form.get('requested_token_type'));

  const check = await checkAccessToken(ctx, realm, issuer, subjectToken);
  if (!check.valid) throw refuse(grant, 'invalid_token', 'subject_token validation failure', invalidRequest('Invalid token'));
  const { claims: subject, user } = check;
  event.user(user.user.id).detail('username', user.user.username).session(subject.sid === undefined ? undefined : check.session?.id).detail('subject_token_client_id', subject.azp);
  // A sender-constrained (RFC 7800) token is its holder's alone.
  if (subject.cnf !== undefined && subject.azp !== client.clientId) {
    const message = 'Sender-constrained token exchange rejected as the token was not issued for the requesting client';
    throw refuse(grant, 'invalid_request', message, invalidRequest(message));
  }

  const tokenType = requestedTokenType(grant);
  event.detail('requested_token_type', tokenType);
  const targets = audienceClients(grant);
  assertAudience(grant, subject, targets);
  const requestedScope = form.get('scope');
  let scopes;
  try {
    scopes = grantScopes(scopeGrantOf(realm, client), requestedScope);
  } catch (error) {
    if (error instanceof OAuthError) throw refuse(grant, 'invalid_request', error.description, error);
    throw error;
  }
  if (tokenType === SAML2_TOKEN_TYPE) throw refuse(grant, 'invalid_request', 'requested_token_type unsupported', invalidRequest('requested_token_type unsupported'));

  const settings = realm.realm.settings;
  const wantsRefresh = tokenType === REFRESH_TOKEN_TYPE;
  const userSession = check.session;
  if ((!userSession || userSession.offline) && wantsRefresh) {
    const message = 'Refresh token not valid as requested_token_type because creating a new session is needed';
    throw refuse(grant, 'invalid_request', message, invalidRequest(message));
  }
  if (wantsRefresh && scopes.names.has('offline_access')) {
    const message = 'Scope offline_access not allowed for token exchange';
    throw refuse(grant, 'invalid_request', message, invalidRequest(message));
  }
  if (client.consentRequired) {
    // holdfast stores no consents yet, so the requester has none for the user: Keycloak's answer then.
    const message = `Missing consents for Token Exchange in client ${client.clientId}`;
    throw refuse(grant, 'consent_denied', message, invalidScope(message));
  }
  const requestedAudience = form.has('audience') ? targets.map((t) => t.clientId) : undefined;

  // The session the new token names: the subject's, online or offline; none for a subject token without one.
  const session: UserSession | undefined = userSession;
  let clientSession: ClientSession | undefined;
  let attached = false;
  const now = ctx.sessions.now();
  if (session && wantsRefresh) {
    attached = !session.clientSessions.has(client.id);
    clientSession = await ctx.sessions.attachClient(settings, session, client, scopes.value);
    if (!clientSession) throw refuse(grant, 'invalid_token', 'subject_token validation failure', invalidRequest('Invalid token'));
  } else if (session) {
    clientSession = { clientUuid: client.id, started: now, timestamp: now, scope: scopes.value, refreshTokenUses: 0 };
  }
  const transientSession = session === undefined;
  const authTime = userSession?.authTime;

  let response: TokenResponse;
  try {
    response = await respondWithTokens(grant, {
      user,
      session,
      clientSession,
      transientSession,
      transientClientSession: session !== undefined && !wantsRefresh,
      requestedAudience,
      beforeSign: checkIssuedAudience(grant, requestedAudience),
      scopes,
      grant: 'te',
      authTime,
      acr: typeof subject.acr === 'string' ? subject.acr : '1',
      includeRefreshToken: wantsRefresh,
      ...(tokenType === ID_TOKEN_TYPE ? { frontChannel: { idToken: true, accessToken: false } } : {}),
    });
  } catch (error) {
    if (attached && session) await ctx.sessions.detachClient(session, client.id);
    throw error;
  }
  return exchangeResponse(response, tokenType);
};

/** RFC 8693's response: an ID token travels in `access_token`, with `token_type` `N_A`, as Keycloak sends it. */
function exchangeResponse(response: TokenResponse, tokenType: string): ExchangeResponse {
  if (tokenType !== ID_TOKEN_TYPE) return { ...response, issued_token_type: tokenType };
  const { id_token: idToken, ...rest } = response;
  return { ...rest, access_token: idToken ?? '', token_type: 'N_A', issued_token_type: tokenType };
}

/**
 * The authorization request, validated as a list of named steps in the order Keycloak applies
 * them. Steps before the redirect URI is trusted fail with an error page; steps after it fail
 * with an error sent to the client (AuthorizationError).
 */
import { ErrorPage } from '../../errors/index.ts';
import type { Form } from '../../http/form.ts';
import { scopeGrantOf, type LoadedRealm } from '../../realm/realm-service.ts';
import type { Client } from '../../realm/types.ts';
import { defaultRedirectUri, verifyRedirectUri } from '../../realm/redirect-uri.ts';
import { grantScopes, type GrantedScopes } from '../tokens/index.ts';
import { checkParamLengths, MAX_LOGIN_HINT_LENGTH, MAX_PARAM_LENGTH } from '../param-lengths.ts';
import { MAX_REQUEST_OBJECT_LENGTH } from './request-object.ts';
import type { PushedRequestRef } from './pushed-requests.ts';
import { AuthorizationError, type ResponseMode, type ResponseTarget } from './authorization-response.ts';
import { isOidcClient, WRONG_CLIENT_PROTOCOL } from '../client-auth/index.ts';
import { parseAcrRequest, type AcrRequest } from './acr.ts';
import { defaultResponseMode, isImplicit, isImplicitOrHybrid, parseResponseType, type ResponseType } from './response-type.ts';

export interface AuthorizationRequest {
  client: Client;
  redirectUri: string;
  responseType: string;
  responseMode: ResponseMode;
  scopes: GrantedScopes;
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'plain' | 'S256';
  dpopJkt?: string;
  prompt?: string;
  maxAge?: number;
  loginHint?: string;
  /** `kc_idp_hint`: the alias of the identity provider to send the browser to instead of the login page. */
  idpHint?: string;
  kcAction?: string;
  /** `ui_locales`: the languages the application prefers for the pages, space-separated. */
  uiLocales?: string;
  acr: AcrRequest;
  /** The pushed request (PAR) it came through, spent when the login completes. */
  pushedRequest?: PushedRequestRef;
}

type Target = ResponseTarget & { state?: string };

const CHALLENGE_SHAPE = /^[A-Za-z0-9\-._~]{43,128}$/;

/** The parameters the authorization endpoint reads (unknown ones are neither stored nor echoed). */
export const AUTHORIZATION_PARAMS = [
  'client_id',
  'response_type',
  'response_mode',
  'redirect_uri',
  'state',
  'scope',
  'prompt',
  'kc_idp_hint',
  'kc_action',
  'nonce',
  'max_age',
  'claims',
  'acr_values',
  'display',
  'ui_locales',
  'code_challenge',
  'code_challenge_method',
  'dpop_jkt',
  'login_hint',
] as const;

/** Keycloak's bounds on those parameters. */
const PARAM_BOUNDS: Record<string, number> = Object.fromEntries(AUTHORIZATION_PARAMS.map((name) => [name, name === 'login_hint' ? MAX_LOGIN_HINT_LENGTH : MAX_PARAM_LENGTH]));

/** The bounds on a request's own parameters, before a request object or pushed request is read. */
export const REQUEST_PARAM_BOUNDS: Record<string, number> = { ...PARAM_BOUNDS, request: MAX_REQUEST_OBJECT_LENGTH, request_uri: MAX_PARAM_LENGTH };

export function checkClient(realm: LoadedRealm, params: Form): Client {
  const clientId = params.get('client_id');
  if (!clientId) throw new ErrorPage(400, 'Missing parameter: client_id');
  const client = realm.clientsByClientId.get(clientId);
  if (!client) throw new ErrorPage(400, 'Client not found.');
  if (!client.enabled) throw new ErrorPage(400, 'Login requester not enabled.');
  if (client.bearerOnly) throw new ErrorPage(400, 'Bearer-only clients are not allowed to initiate browser login.');
  if (!isOidcClient(client)) throw new ErrorPage(400, WRONG_CLIENT_PROTOCOL);
  return client;
}

/** The redirect URI every later response goes to: exactly the string that was verified. */
function checkRedirectUri(client: Client, params: Form, authBaseUrl: string | undefined): string {
  const requested = params.get('redirect_uri');
  // Keycloak uses the only registered URI when a plain OAuth request names none and it has no
  // wildcard; an OpenID request (`openid` in its scope) must name one (OIDC Core 3.1.2.1).
  const openid = (params.get('scope') ?? '').split(' ').includes('openid');
  const verified = requested === undefined ? (openid ? undefined : defaultRedirectUri(client)) : verifyRedirectUri(client, requested, client.redirectUris, authBaseUrl);
  if (verified === undefined) throw new ErrorPage(400, 'Invalid parameter: redirect_uri');
  return verified;
}

const RESPONSE_MODES = new Set<string>(['query', 'fragment', 'form_post']);

/**
 * Response type and mode in Keycloak's order: an unknown type or mode is reported in the query
 * (or the mode asked for), a disabled flow in the type's default mode. Implicit and hybrid
 * responses carry tokens, so they never go in the query (OIDC Core 3.2.2.5).
 */
function checkResponseType(client: Client, params: Form, redirectUri: string, state: string | undefined): { type: ResponseType; raw: string; mode: ResponseMode } {
  const requestedMode = params.get('response_mode');
  const validMode = requestedMode !== undefined && RESPONSE_MODES.has(requestedMode) ? (requestedMode as ResponseMode) : undefined;
  const early: Target = { redirectUri, responseMode: validMode ?? 'query', state };
  const raw = params.get('response_type');
  if (raw === undefined) throw new AuthorizationError(early, 'invalid_request', 'Missing parameter: response_type');
  const type = parseResponseType(raw);
  if (!type) throw new AuthorizationError(early, 'unsupported_response_type');
  if (requestedMode !== undefined && !validMode) throw new AuthorizationError({ ...early, responseMode: 'query' }, 'invalid_request', 'Invalid parameter: response_mode');
  if (isImplicitOrHybrid(type) && validMode === 'query') {
    throw new AuthorizationError(early, 'invalid_request', "Response_mode 'query' not allowed for implicit or hybrid flow");
  }
  const mode = validMode ?? defaultResponseMode(type);
  const target: Target = { redirectUri, responseMode: mode, state };
  if ((type.code || type.none) && !client.standardFlowEnabled) {
    throw new AuthorizationError(target, 'unauthorized_client', 'Client is not allowed to initiate browser login with given response_type. Standard flow is disabled for the client.');
  }
  if (isImplicitOrHybrid(type) && !client.implicitFlowEnabled) {
    throw new AuthorizationError(target, 'unauthorized_client', 'Client is not allowed to initiate browser login with given response_type. Implicit flow is disabled for the client.');
  }
  return { type, raw, mode };
}

function checkScope(realm: LoadedRealm, client: Client, params: Form, target: Target): GrantedScopes {
  try {
    return grantScopes(scopeGrantOf(realm, client), params.get('scope'));
  } catch {
    throw new AuthorizationError(target, 'invalid_scope', 'Invalid scopes: ' + (params.get('scope') ?? ''));
  }
}

/** OIDC needs a nonce whenever an ID token comes back through the browser (a plain OAuth `token` request needs none). */
function checkNonce(type: ResponseType, params: Form, target: Target): void {
  if (type.idToken && params.get('nonce') === undefined) throw new AuthorizationError(target, 'invalid_request', 'Missing parameter: nonce');
}

function checkPkce(client: Client, type: ResponseType, params: Form, target: Target): Pick<AuthorizationRequest, 'codeChallenge' | 'codeChallengeMethod'> {
  // PKCE protects a code: the implicit flow has none.
  if (isImplicit(type)) return {};
  const challenge = params.get('code_challenge');
  const rawMethod = params.get('code_challenge_method');
  const required = client.attributes['pkce.code.challenge.method'];
  if (rawMethod !== undefined && rawMethod !== 'plain' && rawMethod !== 'S256') {
    throw new AuthorizationError(target, 'invalid_request', 'Invalid parameter: invalid code_challenge_method');
  }
  const method = rawMethod ?? (challenge !== undefined ? 'plain' : undefined);
  if (required === 'S256' || required === 'plain') {
    if (challenge === undefined) throw new AuthorizationError(target, 'invalid_request', 'Missing parameter: code_challenge_method');
    if (method !== required) throw new AuthorizationError(target, 'invalid_request', 'Invalid parameter: code challenge method is not matching the configured one');
  }
  if (challenge === undefined) return {};
  if (!CHALLENGE_SHAPE.test(challenge)) throw new AuthorizationError(target, 'invalid_request', 'Invalid parameter: code_challenge');
  return { codeChallenge: challenge, codeChallengeMethod: method as 'plain' | 'S256' };
}

function checkPrompt(params: Form, target: Target): Pick<AuthorizationRequest, 'prompt' | 'maxAge'> {
  // `none` with another value is no error in Keycloak: `login` then wins over the SSO session and `none` answers login_required.
  const prompt = params.get('prompt');
  const rawMaxAge = params.get('max_age');
  let maxAge: number | undefined;
  if (rawMaxAge !== undefined) {
    if (!/^\d{1,9}$/.test(rawMaxAge)) throw new AuthorizationError(target, 'invalid_request', 'Invalid parameter: max_age');
    maxAge = Number(rawMaxAge);
  }
  return { prompt, maxAge };
}

/**
 * PAR only, when the client says so (`require.pushed.authorization.requests`; Keycloak has no
 * realm-wide switch).
 */
function checkPushedRequired(client: Client, pushed: boolean, target: Target): void {
  if (!pushed && client.attributes['require.pushed.authorization.requests'] === 'true') {
    throw new AuthorizationError(target, 'invalid_request', 'Pushed Authorization Request is only allowed.');
  }
}

/** What the caller learnt before: the client, and how the parameters were assembled (request-parameters.ts). */
export interface RequestOrigin {
  client: Client;
  /** The request came through PAR, or is being pushed to it. */
  pushed: boolean;
  pushedRequest?: PushedRequestRef;
  invalidRequestMessage?: string;
  /** holdfast's base URL for this request, which relative redirect URIs resolve against. */
  authBaseUrl?: string;
}

export function parseAuthorizationRequest(realm: LoadedRealm, params: Form, origin?: RequestOrigin): AuthorizationRequest {
  checkParamLengths(params, PARAM_BOUNDS);
  const client = origin?.client ?? checkClient(realm, params);
  const redirectUri = checkRedirectUri(client, params, origin?.authBaseUrl);
  const state = params.get('state');
  const { type, raw, mode } = checkResponseType(client, params, redirectUri, state);
  const target: Target = { redirectUri, responseMode: mode, state };
  checkPushedRequired(client, origin?.pushed ?? false, target);
  if (origin?.invalidRequestMessage !== undefined) throw new AuthorizationError(target, 'invalid_request', origin.invalidRequestMessage);
  const scopes = checkScope(realm, client, params, target);
  checkNonce(type, params, target);
  const pkce = checkPkce(client, type, params, target);
  const prompt = checkPrompt(params, target);
  return {
    client,
    redirectUri,
    responseType: raw,
    responseMode: mode,
    scopes,
    state,
    nonce: params.get('nonce'),
    loginHint: params.get('login_hint'),
    idpHint: params.get('kc_idp_hint') || undefined,
    kcAction: params.get('kc_action'),
    dpopJkt: params.get('dpop_jkt'),
    uiLocales: params.get('ui_locales'),
    acr: parseAcrRequest(realm, client, params),
    pushedRequest: origin?.pushedRequest,
    ...pkce,
    ...prompt,
  };
}

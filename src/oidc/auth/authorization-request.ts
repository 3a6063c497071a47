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
import { AuthorizationError, type ResponseMode, type ResponseTarget } from './authorization-response.ts';
import { isOidcClient, WRONG_CLIENT_PROTOCOL } from '../client-auth.ts';

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
  prompt?: string;
  maxAge?: number;
  loginHint?: string;
}

const CHALLENGE_SHAPE = /^[A-Za-z0-9\-._~]{43,128}$/;

/** The parameters Keycloak bounds at the authorization endpoint (unknown ones are neither stored nor echoed). */
const PARAM_BOUNDS: Record<string, number> = Object.fromEntries(
  [
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
  ]
    .map((name) => [name, MAX_PARAM_LENGTH])
    .concat([['login_hint', MAX_LOGIN_HINT_LENGTH]]),
);

function checkClient(realm: LoadedRealm, params: Form): Client {
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
function checkRedirectUri(client: Client, params: Form): string {
  const requested = params.get('redirect_uri');
  // Keycloak uses the only registered URI when the request names none and it has no wildcard.
  const verified = requested === undefined ? defaultRedirectUri(client) : verifyRedirectUri(client, requested);
  if (verified === undefined) throw new ErrorPage(400, 'Invalid parameter: redirect_uri');
  return verified;
}

function checkResponseMode(params: Form): ResponseMode {
  const mode = params.get('response_mode') ?? 'query';
  if (mode !== 'query' && mode !== 'fragment' && mode !== 'form_post') throw new ErrorPage(400, 'Invalid parameter: response_mode');
  return mode;
}

function checkResponseType(client: Client, params: Form, target: ResponseTarget & { state?: string }): string {
  const responseType = params.get('response_type');
  if (!responseType) throw new AuthorizationError(target, 'invalid_request', 'Missing parameter: response_type');
  if (responseType !== 'code') {
    throw new AuthorizationError(target, 'unsupported_response_type', 'Client is not allowed to initiate browser login with given response_type. Implicit flow is disabled for the client.');
  }
  if (!client.standardFlowEnabled) {
    throw new AuthorizationError(target, 'unauthorized_client', 'Client is not allowed to initiate browser login with given response_type. Standard flow is disabled for the client.');
  }
  return responseType;
}

function checkScope(realm: LoadedRealm, client: Client, params: Form, target: ResponseTarget & { state?: string }): GrantedScopes {
  try {
    return grantScopes(scopeGrantOf(realm, client), params.get('scope'));
  } catch {
    throw new AuthorizationError(target, 'invalid_scope', 'Invalid scopes: ' + (params.get('scope') ?? ''));
  }
}

function checkPkce(client: Client, params: Form, target: ResponseTarget & { state?: string }): Pick<AuthorizationRequest, 'codeChallenge' | 'codeChallengeMethod'> {
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

function checkPrompt(params: Form, target: ResponseTarget & { state?: string }): Pick<AuthorizationRequest, 'prompt' | 'maxAge'> {
  const prompt = params.get('prompt');
  if (prompt !== undefined) {
    const values = prompt.split(' ');
    if (values.includes('none') && values.length > 1) throw new AuthorizationError(target, 'invalid_request', 'Invalid parameter: prompt');
  }
  const rawMaxAge = params.get('max_age');
  let maxAge: number | undefined;
  if (rawMaxAge !== undefined) {
    if (!/^\d{1,9}$/.test(rawMaxAge)) throw new AuthorizationError(target, 'invalid_request', 'Invalid parameter: max_age');
    maxAge = Number(rawMaxAge);
  }
  return { prompt, maxAge };
}

export function parseAuthorizationRequest(realm: LoadedRealm, params: Form): AuthorizationRequest {
  checkParamLengths(params, PARAM_BOUNDS);
  const client = checkClient(realm, params);
  const redirectUri = checkRedirectUri(client, params);
  const responseMode = checkResponseMode(params);
  const target = { redirectUri, responseMode, state: params.get('state') };
  const responseType = checkResponseType(client, params, target);
  const scopes = checkScope(realm, client, params, target);
  return {
    client,
    redirectUri,
    responseType,
    responseMode,
    scopes,
    state: params.get('state'),
    nonce: params.get('nonce'),
    loginHint: params.get('login_hint'),
    ...checkPkce(client, params, target),
    ...checkPrompt(params, target),
  };
}

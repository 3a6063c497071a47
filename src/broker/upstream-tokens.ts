/**
 * The back channel of a brokered login: the upstream's code exchanged at its token endpoint
 * (client_secret_post, client_secret_basic or private_key_jwt signed with the realm's key), its
 * ID token checked (signature against the upstream JWKS when `validateSignature`, issuer,
 * audience, expiry, issue time, nonce), and its user info read when it has an endpoint. Every
 * call is bounded in time and size; anything unexpected is a BrokerFailure, never a 500.
 */
import { decodeAssertion, newId, signAsymmetric, verifyAssertionSignature, type RealmKeys } from '../crypto/index.ts';
import { outboundRequest, type OutboundAddresses } from '../http/outbound.ts';
import { BROKER_TEXTS, upstreamFailure } from './broker-failure.ts';
import type { Upstream } from './upstream.ts';

/** Upstream calls wait at most this long: a hung upstream gives an error page, not a hung login. */
export const UPSTREAM_TIMEOUT_MS = 5000;
const MAX_ANSWER_BYTES = 256 * 1024;
/** Clock skew allowed on the ID token's times (Keycloak's `allowedClockSkew` default is 0; a few seconds spare real clocks). */
const CLOCK_SKEW_SECONDS = 10;

export interface UpstreamCall {
  addresses: OutboundAddresses;
  /** The upstream JWKS, cached (ClientKeys.keySetAt). */
  keySetAt(url: string, kid: string | undefined): Promise<Array<Record<string, unknown>> | undefined>;
  realmKeys: RealmKeys;
  nowSeconds: number;
}

export interface UpstreamTokens {
  /** The token response as the upstream sent it (stored when `storeToken`). */
  raw: string;
  accessToken: string;
  idToken?: string;
}

async function call(url: string, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }, addresses: OutboundAddresses): Promise<{ status: number; body: string }> {
  let response;
  try {
    response = await outboundRequest(url, { ...init, timeoutMs: UPSTREAM_TIMEOUT_MS, maxBytes: MAX_ANSWER_BYTES, addresses });
  } catch (error) {
    throw upstreamFailure(BROKER_TEXTS.noToken, 'identity_provider_error', `${url}: ${(error as Error).message}`);
  }
  if (response.body === undefined) throw upstreamFailure(BROKER_TEXTS.invalidResponse, 'identity_provider_error', `${url} answered more than ${MAX_ANSWER_BYTES} bytes`);
  return { status: response.status, body: response.body };
}

function jsonOf(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function clientAuthentication(upstream: Upstream, call: UpstreamCall): Promise<{ headers: Record<string, string>; fields: Record<string, string> }> {
  switch (upstream.clientAuthMethod) {
    case 'client_secret_basic': {
      const encode = (value: string) => encodeURIComponent(value);
      const basic = Buffer.from(`${encode(upstream.clientId)}:${encode(upstream.clientSecret ?? '')}`).toString('base64');
      return { headers: { authorization: `Basic ${basic}` }, fields: {} };
    }
    case 'private_key_jwt': {
      const now = call.nowSeconds;
      const assertion = await signAsymmetric({ iss: upstream.clientId, sub: upstream.clientId, aud: upstream.tokenUrl, jti: newId(), iat: now, exp: now + 60 }, call.realmKeys);
      return { headers: {}, fields: { client_id: upstream.clientId, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion } };
    }
    case 'client_secret_post':
      return { headers: {}, fields: { client_id: upstream.clientId, client_secret: upstream.clientSecret ?? '' } };
    default:
      throw upstreamFailure(BROKER_TEXTS.unexpected, 'identity_provider_error', `client authentication ${upstream.clientAuthMethod} is not supported`);
  }
}

/** Exchanges the upstream's code for its tokens. */
export async function exchangeCode(upstream: Upstream, code: string, redirectUri: string, codeVerifier: string | undefined, context: UpstreamCall): Promise<UpstreamTokens> {
  const auth = await clientAuthentication(upstream, context);
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, ...(codeVerifier ? { code_verifier: codeVerifier } : {}), ...auth.fields }).toString();
  const answer = await call(upstream.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...auth.headers }, body }, context.addresses);
  const json = jsonOf(answer.body) ?? (upstream.openIdConnect ? undefined : Object.fromEntries(new URLSearchParams(answer.body)));
  if (answer.status !== 200 || !json || typeof json.access_token !== 'string') {
    throw upstreamFailure(BROKER_TEXTS.noToken, 'identity_provider_error', `token endpoint answered HTTP ${answer.status}${typeof json?.error === 'string' ? ` ${json.error}` : ''}`);
  }
  return { raw: answer.body, accessToken: json.access_token, idToken: typeof json.id_token === 'string' ? json.id_token : undefined };
}

export interface IdTokenRules {
  validateSignature: boolean;
  issuer?: string;
  clientId: string;
  nonce: string;
  jwksUrl?: string;
}

const invalid = (reason: string) => upstreamFailure(BROKER_TEXTS.invalidResponse, 'invalid_token', reason);

/** Checks a token's signature against the upstream's JWKS (asymmetric algorithms only). */
export async function checkUpstreamSignature(token: string, header: Record<string, unknown>, jwksUrl: string | undefined, context: Pick<UpstreamCall, 'keySetAt'>): Promise<void> {
  const algorithm = typeof header.alg === 'string' ? header.alg : '';
  if (!jwksUrl) throw upstreamFailure(BROKER_TEXTS.invalidSignature, 'invalid_signature', 'validateSignature is on but the provider has no jwksUrl');
  if (algorithm === '' || algorithm === 'none' || algorithm.startsWith('HS')) throw upstreamFailure(BROKER_TEXTS.invalidSignature, 'invalid_signature', `token algorithm ${algorithm || 'missing'} refused`);
  const keys = await context.keySetAt(jwksUrl, typeof header.kid === 'string' ? header.kid : undefined);
  if (!keys) throw upstreamFailure(BROKER_TEXTS.invalidSignature, 'invalid_signature', `no key set at ${jwksUrl}`);
  try {
    await verifyAssertionSignature(token, algorithm, { jwks: { keys: keys as never } });
  } catch (error) {
    throw upstreamFailure(BROKER_TEXTS.invalidSignature, 'invalid_signature', `token signature: ${(error as Error).message}`);
  }
}

/** The ID token's claims once every check of `rules` passed. */
export async function checkIdToken(token: string, rules: IdTokenRules, context: UpstreamCall): Promise<Record<string, unknown>> {
  const decoded = decodeAssertion(token);
  if (!decoded) throw invalid('ID token is not a compact JWS');
  const { header, claims } = decoded;
  if (rules.validateSignature) await checkUpstreamSignature(token, header, rules.jwksUrl, context);
  if (rules.issuer !== undefined && claims.iss !== rules.issuer) throw invalid(`ID token issuer ${String(claims.iss)} is not ${rules.issuer}`);
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(rules.clientId)) throw invalid('ID token audience does not name the client');
  if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims.azp !== undefined && claims.azp !== rules.clientId) throw invalid('ID token azp is another client');
  const now = context.nowSeconds;
  if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS < now) throw invalid('ID token expired');
  if (typeof claims.iat === 'number' && claims.iat - CLOCK_SKEW_SECONDS > now) throw invalid('ID token issued in the future');
  if (claims.nonce !== rules.nonce) throw invalid('ID token nonce does not match the login');
  if (typeof claims.sub !== 'string' || claims.sub === '') throw invalid('ID token has no sub');
  return claims;
}

/** The upstream's user info answer (JSON object), read with its access token. */
export async function readUserInfo(url: string, accessToken: string, context: UpstreamCall): Promise<Record<string, unknown>> {
  const answer = await call(url, { method: 'GET', headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } }, context.addresses);
  const json = jsonOf(answer.body);
  if (answer.status !== 200 || !json) throw upstreamFailure(BROKER_TEXTS.invalidResponse, 'identity_provider_error', `user info answered HTTP ${answer.status}`);
  return json;
}

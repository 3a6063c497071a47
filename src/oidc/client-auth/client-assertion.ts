/**
 * Signed-JWT client authentication (RFC 7523): `private_key_jwt` for `client-jwt` clients and
 * `client_secret_jwt` for `client-secret-jwt` clients, with Keycloak 26's rules and messages.
 * The assertion names its client in `sub` (= `iss`); its signature is checked before any claim
 * is believed, and its `jti` is claimed once in the shared store until the assertion expires, so
 * a replay is refused on every node and after restarts.
 */
import { ASYMMETRIC_ASSERTION_ALGORITHMS, HMAC_ASSERTION_ALGORITHMS, InvalidSignature, UnknownClientKey, decodeAssertion, open, sha256Hex, verifyAssertionSignature, type AssertionKey } from '../../crypto/index.ts';
import { nowSeconds } from '../../clock/index.ts';
import { INVALID_CLIENT_CREDENTIALS, invalidClient, unauthorizedClient } from '../../errors/index.ts';
import type { Form } from '../../http/form.ts';
import type { Client } from '../../realm/types.ts';
import type { ClientAuthTarget } from './index.ts';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Keycloak refuses an assertion whose `iat` is older than this. */
const MAX_AGE_SECONDS = 60;
/**
 * holdfast's bound on an assertion's remaining lifetime (Keycloak has none): its `jti` is held
 * in the store until `exp`, so `exp` must not reach arbitrarily far.
 */
const MAX_LIFETIME_SECONDS = 24 * 3600;

/** Keycloak's wording for a failed client_secret_jwt signature (its double space included). */
const SECRET_SIGNATURE_FAILED = 'Client authentication with client secret signed JWT failed: Signature on JWT token by client secret  failed validation';
const SECRET_WRONG_ALGORITHM = 'Client authentication with client secret signed JWT failed: Signature on JWT token by client secret failed validation';

const badAssertion = (description: string) => invalidClient(description, 400);

/** The endpoints an assertion may be addressed to, besides the issuer itself (Keycloak 26: not revocation). */
function acceptedAudiences(issuer: string): string[] {
  const oidc = `${issuer}/protocol/openid-connect`;
  return [issuer, `${oidc}/token`, `${oidc}/token/introspect`, `${oidc}/ext/par/request`];
}

function checkAlgorithm(client: Client, algorithm: unknown, secretBased: boolean): string {
  const required = client.attributes['token.endpoint.auth.signing.alg'];
  if (typeof algorithm !== 'string' || algorithm === 'none' || (required && required !== algorithm)) throw badAssertion('Invalid signature algorithm');
  if (secretBased) {
    if (!HMAC_ASSERTION_ALGORITHMS.includes(algorithm)) throw unauthorizedClient(SECRET_WRONG_ALGORITHM);
  } else if (!ASYMMETRIC_ASSERTION_ALGORITHMS.includes(algorithm)) {
    throw badAssertion('Invalid signature algorithm');
  }
  return algorithm;
}

async function checkSignature(target: ClientAuthTarget, client: Client, token: string, algorithm: string, kid: unknown, secretBased: boolean): Promise<void> {
  if (secretBased) {
    if (!client.secretSealed) throw unauthorizedClient(SECRET_SIGNATURE_FAILED);
    try {
      await verifyAssertionSignature(token, algorithm, { secret: open(target.realm.keys.sealKey, client.secretSealed) });
    } catch {
      throw unauthorizedClient(SECRET_SIGNATURE_FAILED);
    }
    return;
  }
  const key: AssertionKey | undefined = await target.ctx.clientKeys.keyOf(client, typeof kid === 'string' ? kid : undefined);
  if (!key) throw badAssertion('Unable to load public key');
  try {
    await verifyAssertionSignature(token, algorithm, key);
  } catch (error) {
    if (error instanceof UnknownClientKey) throw badAssertion('Unable to load public key');
    if (error instanceof InvalidSignature) throw badAssertion('Client authentication with signed JWT failed: Signature on JWT token failed validation');
    throw error;
  }
}

/** Time, audience and `jti` rules, in Keycloak's order; returns the `exp` the `jti` is held until. */
function checkClaims(claims: Record<string, unknown>, now: number, issuer: string): { exp: number; jti: string } {
  const { exp, nbf, iat, aud, jti } = claims;
  if (exp === undefined) throw badAssertion('Token exp claim is required');
  if (typeof exp !== 'number' || exp < now || (nbf !== undefined && (typeof nbf !== 'number' || nbf > now))) throw badAssertion('Token is not active');
  if (iat !== undefined) {
    if (typeof iat !== 'number') throw badAssertion('Token is not active');
    if (iat > now) throw badAssertion('Token was issued in the future');
    if (iat < now - MAX_AGE_SECONDS) throw badAssertion('Token was issued too far in the past to be used now');
  }
  if (exp > now + MAX_LIFETIME_SECONDS) throw badAssertion(`Token exp is more than ${MAX_LIFETIME_SECONDS} seconds in the future`);
  const audiences = Array.isArray(aud) ? aud : aud === undefined ? [] : [aud];
  if (audiences.length > 1) throw badAssertion('Multiple audiences not allowed');
  if (audiences.length === 0 || typeof audiences[0] !== 'string' || !acceptedAudiences(issuer).includes(audiences[0])) throw badAssertion('Invalid token audience');
  if (typeof jti !== 'string' || jti === '') throw badAssertion('Token jti claim is required');
  return { exp, jti };
}

export async function authenticateWithAssertion(target: ClientAuthTarget, form: Form): Promise<Client> {
  const token = form.get('client_assertion');
  if (token === undefined || token === '') throw badAssertion('client_assertion parameter missing');
  const decoded = decodeAssertion(token);
  if (!decoded) throw invalidClient(INVALID_CLIENT_CREDENTIALS);
  const { header, claims } = decoded;
  const clientId = claims.sub;
  if (typeof clientId !== 'string' || clientId === '' || claims.iss !== clientId) throw invalidClient(INVALID_CLIENT_CREDENTIALS);
  const formClientId = form.get('client_id');
  if (formClientId !== undefined && formClientId !== clientId) throw badAssertion('client_id parameter does not match authenticated client');

  const client = target.realm.clientsByClientId.get(clientId);
  if (!client || !client.enabled) throw invalidClient(INVALID_CLIENT_CREDENTIALS);
  if (client.bearerOnly) throw invalidClient('Bearer-only not allowed', 400);
  if (client.publicClient) return client;
  const authenticator = client.clientAuthenticatorType ?? 'client-secret';
  if (authenticator === 'client-secret') throw invalidClient(INVALID_CLIENT_CREDENTIALS);
  const secretBased = authenticator === 'client-secret-jwt';

  const algorithm = checkAlgorithm(client, header.alg, secretBased);
  await checkSignature(target, client, token, algorithm, header.kid, secretBased);
  const now = nowSeconds(target.ctx.clock);
  const { exp, jti } = checkClaims(claims, now, target.issuer);
  const first = await target.ctx.store.claimOnce(`client-assertion:${client.id}:${sha256Hex(jti)}`, exp, now);
  if (!first) throw badAssertion('Token reuse detected');
  return client;
}

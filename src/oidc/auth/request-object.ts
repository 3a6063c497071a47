/**
 * Request objects (OpenID Connect Core 6, RFC 9101): authorization parameters sent as a JWT the
 * client signed, in the `request` parameter or at a `request_uri` the client registered
 * (`request.uris`). Checked as Keycloak 26 checks them: the header names an algorithm, the one the
 * client's `request.object.signature.alg` demands if it sets one; the signature verifies with the
 * client's keys (`jwks.string`, `jwks.url`, certificate) or, for HS256/384/512, its secret; a
 * `client_id` claim, if any, names the client; there is no `request_uri` claim. An unsigned
 * (`alg: none`) object is taken, as by Keycloak, from a client whose
 * `request.object.signature.alg` is unset or `none`: it asserts nothing that query parameters
 * would not. Any other value (`any` included, as Keycloak reads it) is the one algorithm
 * accepted. Encrypted request objects (JWE) are refused: the realm publishes no encryption keys.
 *
 * A failure throws RequestObjectRefused with Keycloak's reason, which is logged; what the client
 * sees depends on the endpoint (an error page at the authorization endpoint, a JSON error at PAR).
 */
import { ASYMMETRIC_ASSERTION_ALGORITHMS, HMAC_ASSERTION_ALGORITHMS, decodeAssertion, open, verifyAssertionSignature, type AssertionKey } from '../../crypto/index.ts';
import { outboundRequest } from '../../http/outbound.ts';
import type { Context } from '../../context.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { Client } from '../../realm/types.ts';
import { verifyRedirectUri } from '../../realm/redirect-uri.ts';
import { MAX_TOKEN_PARAM_LENGTH } from '../param-lengths.ts';

/** A `request` parameter, or a fetched request object, is at most this long (Keycloak's bound for token-carrying parameters). */
export const MAX_REQUEST_OBJECT_LENGTH = MAX_TOKEN_PARAM_LENGTH;
const FETCH_TIMEOUT_MS = 3000;

export class RequestObjectRefused extends Error {}

/** The request object's claims as parameters: values as text, objects and arrays (`claims`) as JSON, as Keycloak reads them. */
export type RequestObjectParams = Map<string, string>;

/** `request.object.signature.alg`: undefined when the client accepts any algorithm, `none` included. */
function requiredAlgorithm(client: Client): string | undefined {
  const value = client.attributes['request.object.signature.alg'];
  return value === undefined || value === '' ? undefined : value;
}

async function keyFor(ctx: Context, realm: LoadedRealm, client: Client, algorithm: string, kid: unknown): Promise<AssertionKey | undefined> {
  if (HMAC_ASSERTION_ALGORITHMS.includes(algorithm)) {
    return client.secretSealed ? { secret: open(realm.keys.sealKey, client.secretSealed) } : undefined;
  }
  if (!ASYMMETRIC_ASSERTION_ALGORITHMS.includes(algorithm)) return undefined;
  return ctx.clientKeys.keyOf(client, typeof kid === 'string' ? kid : undefined);
}

function asParams(claims: Record<string, unknown>): RequestObjectParams {
  const params: RequestObjectParams = new Map();
  for (const [name, value] of Object.entries(claims)) {
    params.set(name, typeof value === 'string' ? value : value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return params;
}

/** The verified parameters of `jwt`, a request object of `client`. */
export async function verifyRequestObject(ctx: Context, realm: LoadedRealm, client: Client, jwt: string): Promise<RequestObjectParams> {
  if (jwt.split('.').length === 5) throw new RequestObjectRefused('Encrypted request objects are not supported');
  const decoded = decodeAssertion(jwt, MAX_REQUEST_OBJECT_LENGTH);
  if (!decoded) throw new RequestObjectRefused("Failed to verify signature on 'request' object");
  const { header, claims } = decoded;
  const algorithm = header.alg;
  if (typeof algorithm !== 'string' || algorithm === '') throw new RequestObjectRefused('Request object signed algorithm not specified');
  const required = requiredAlgorithm(client);
  if (required !== undefined && required !== algorithm) throw new RequestObjectRefused('Request object signed with different algorithm than client requested algorithm');
  if (algorithm !== 'none') {
    const key = await keyFor(ctx, realm, client, algorithm, header.kid);
    if (!key) throw new RequestObjectRefused("Failed to verify signature on 'request' object");
    try {
      await verifyAssertionSignature(jwt, algorithm, key);
    } catch {
      throw new RequestObjectRefused("Failed to verify signature on 'request' object");
    }
  }
  const clientId = claims.client_id;
  if (clientId !== undefined && (typeof clientId === 'object' || String(clientId) !== client.clientId)) throw new RequestObjectRefused('The client_id in the request object is not the same as the authorizing client');
  if ('request_uri' in claims) throw new RequestObjectRefused('The request_uri claim should not be set in the request object');
  return asParams(claims);
}

/** `request.uris`: the request URIs the client registered, `##`-separated as Keycloak stores them. */
function registeredRequestUris(client: Client): string[] {
  return (client.attributes['request.uris'] ?? '').split('##').filter((uri) => uri !== '');
}

/**
 * The request object at `requestUri`, which must match one of the client's `request.uris` (with
 * the wildcards and root URL of redirect URIs). Fetched under the outbound address policy, within
 * FETCH_TIMEOUT_MS and MAX_REQUEST_OBJECT_LENGTH bytes, never following a redirect.
 */
export async function fetchRequestObject(ctx: Context, client: Client, requestUri: string): Promise<string> {
  const allowed = verifyRedirectUri(client, requestUri, registeredRequestUris(client));
  if (allowed === undefined) throw new RequestObjectRefused("Specified 'request_uri' not allowed for this client.");
  let response;
  try {
    response = await outboundRequest(allowed, {
      method: 'GET',
      headers: { accept: 'application/oauth-authz-req+jwt, application/jwt' },
      timeoutMs: FETCH_TIMEOUT_MS,
      maxBytes: MAX_REQUEST_OBJECT_LENGTH,
      addresses: ctx.config.outboundAddresses,
    });
  } catch (error) {
    throw new RequestObjectRefused(`Could not fetch the request_uri: ${(error as Error).message}`);
  }
  if (response.status !== 200) throw new RequestObjectRefused(`The request_uri answered ${response.status}`);
  if (response.body === undefined) throw new RequestObjectRefused(`The request object at the request_uri is longer than ${MAX_REQUEST_OBJECT_LENGTH} bytes`);
  return response.body.trim();
}

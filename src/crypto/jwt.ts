/**
 * Compact JWS signing and verification for tokens. Only the signature is checked here; claims
 * (expiry, issuer, type) are domain rules checked by the caller against the injected clock.
 *
 * Everything is node:crypto, each operation where it costs least:
 * - HMAC (refresh tokens, cookies) in place: it takes microseconds, less than any trip to the
 *   thread pool (jose's WebCrypto path made that trip and cost a refresh more than its RSA
 *   signature's own overhead).
 * - RSA and ECDSA signatures in the thread pool (the callback form of crypto.sign), off the
 *   event loop and on other cores. Measured on one core this signs a little faster than jose's
 *   WebCrypto path (~3,800 against ~3,600 RS256 signatures/s), which also converts the key per call.
 * - RSA and ECDSA verification in place: a public-key check costs ~20 µs, about what the trip
 *   to the thread pool costs, so it doubles verifications per second (introspection, userinfo).
 * - EdDSA in place both ways: an Ed25519 signature costs less than the trip, and jose refuses Ed448.
 * The key checks jose made are kept here, computed once per key (ASYMMETRIC_ALGORITHMS, keyParameters).
 */
import { constants, createHmac, sign as signBytes, timingSafeEqual, verify as verifyBytes, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import type { RealmKeys } from './keys.ts';

export type JwtClaims = Record<string, unknown>;

const decoder = new TextDecoder();

/** The realm key that signs for `algorithm` (a client's override), else the realm's default signing key. */
export function signingKeyOf(keys: RealmKeys, algorithm?: string): RealmKeys['signing'] {
  return (algorithm && keys.signingByAlgorithm.get(algorithm)) || keys.signing;
}

/**
 * Access, ID and logout tokens (`typ` `logout+jwt`): the realm's active key of `algorithm` (a
 * client's `access.token.signed.response.alg`, say), else of its `defaultSignatureAlgorithm`.
 */
export async function signAsymmetric(claims: JwtClaims, keys: RealmKeys, algorithm?: string, typ = 'JWT'): Promise<string> {
  const key = signingKeyOf(keys, algorithm);
  const header = Buffer.from(JSON.stringify({ alg: key.algorithm, typ, kid: key.kid })).toString('base64url');
  const signingInput = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const { digest, input } = keyParameters(key.algorithm, key.privateKey, 'private');
  if (key.algorithm === 'EdDSA') return `${signingInput}.${signBytes(null, Buffer.from(signingInput), input).toString('base64url')}`;
  return new Promise((resolve, reject) => {
    signBytes(digest, Buffer.from(signingInput), input, (error, signature) => (error ? reject(error) : resolve(`${signingInput}.${signature.toString('base64url')}`)));
  });
}

/** RSASSA-PSS with a salt as long as the digest (RFC 7518 §3.5). */
const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };

/** What each asymmetric JWS algorithm needs of its key (RFC 7518 §3), and how node:crypto is told. */
const ASYMMETRIC_ALGORITHMS: Record<string, { digest: string | null; keyTypes: string[]; curve?: string; options: Omit<SignKeyObjectInput, 'key'> }> = {
  RS256: { digest: 'sha256', keyTypes: ['rsa'], options: {} },
  RS384: { digest: 'sha384', keyTypes: ['rsa'], options: {} },
  RS512: { digest: 'sha512', keyTypes: ['rsa'], options: {} },
  PS256: { digest: 'sha256', keyTypes: ['rsa', 'rsa-pss'], options: PSS },
  PS384: { digest: 'sha384', keyTypes: ['rsa', 'rsa-pss'], options: PSS },
  PS512: { digest: 'sha512', keyTypes: ['rsa', 'rsa-pss'], options: PSS },
  // JWS carries ECDSA signatures as r || s (IEEE P1363), not DER.
  ES256: { digest: 'sha256', keyTypes: ['ec'], curve: 'prime256v1', options: { dsaEncoding: 'ieee-p1363' } },
  ES384: { digest: 'sha384', keyTypes: ['ec'], curve: 'secp384r1', options: { dsaEncoding: 'ieee-p1363' } },
  ES512: { digest: 'sha512', keyTypes: ['ec'], curve: 'secp521r1', options: { dsaEncoding: 'ieee-p1363' } },
  EdDSA: { digest: null, keyTypes: ['ed25519', 'ed448'], options: {} },
};

const MIN_RSA_BITS = 2048;

type KeyParameters = { digest: string | null; input: SignKeyObjectInput };
/** Per key object and algorithm, checked once: keys are loaded once per realm-key change, not per token. */
const keyParametersCache = new WeakMap<KeyObject, Map<string, KeyParameters>>();

/**
 * The digest and node:crypto input for `key` under `algorithm`, after the checks jose made: the
 * key's type and curve fit the algorithm, an RSA modulus has at least 2048 bits. Throws otherwise.
 */
function keyParameters(algorithm: string, key: KeyObject, expectedType: 'private' | 'public'): KeyParameters {
  let byAlgorithm = keyParametersCache.get(key);
  const cached = byAlgorithm?.get(algorithm);
  if (cached) return cached;
  const spec = ASYMMETRIC_ALGORITHMS[algorithm];
  if (!spec) throw new InvalidSignature('unsupported algorithm');
  const details = key.asymmetricKeyDetails;
  const fits =
    key.type === expectedType &&
    spec.keyTypes.includes(key.asymmetricKeyType ?? '') &&
    (spec.curve === undefined || details?.namedCurve === spec.curve) &&
    (!key.asymmetricKeyType?.startsWith('rsa') || (details?.modulusLength ?? 0) >= MIN_RSA_BITS);
  if (!fits) throw new InvalidSignature(`key does not fit ${algorithm}`);
  const parameters = { digest: spec.digest, input: { key, ...spec.options } };
  if (!byAlgorithm) keyParametersCache.set(key, (byAlgorithm = new Map()));
  byAlgorithm.set(algorithm, parameters);
  return parameters;
}

/** The payload of a compact JWS signed with an asymmetric key, checked in place. */
function verifyAsymmetric(token: string, header: Record<string, unknown>, algorithm: string, publicKey: KeyObject): Uint8Array {
  // No extension is understood here, so a token that makes one critical is refused (RFC 7515 §4.1.11).
  if (header.crit !== undefined) throw new InvalidSignature('critical header parameter');
  const { digest, input } = keyParameters(algorithm, publicKey, 'public');
  const lastDot = token.lastIndexOf('.');
  if (!verifyBytes(digest, Buffer.from(token.slice(0, lastDot)), input, Buffer.from(token.slice(lastDot + 1), 'base64url'))) throw new InvalidSignature('bad signature');
  return Buffer.from(token.slice(token.indexOf('.') + 1, lastDot), 'base64url');
}

const HMAC_DIGESTS: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

function hmac(algorithm: string, key: KeyObject | string, signingInput: string): Buffer {
  const digest = HMAC_DIGESTS[algorithm];
  if (!digest) throw new InvalidSignature('unsupported HMAC algorithm');
  return createHmac(digest, key).update(signingInput).digest();
}

/** Refresh tokens and the identity cookie: the realm's HMAC key (HS512), as Keycloak does. */
export async function signHmac(claims: JwtClaims, keys: RealmKeys): Promise<string> {
  const header = Buffer.from(JSON.stringify({ alg: 'HS512', typ: 'JWT', kid: keys.hmac.kid })).toString('base64url');
  const signingInput = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${signingInput}.${hmac('HS512', keys.hmac.key, signingInput).toString('base64url')}`;
}

/** The payload of an HMAC-signed compact JWS, after a constant-time signature check (a client secret as the key for client assertions). */
export function verifyHmac(token: string, algorithm: string, key: KeyObject | string): Uint8Array {
  const lastDot = token.lastIndexOf('.');
  const expected = hmac(algorithm, key, token.slice(0, lastDot));
  const actual = Buffer.from(token.slice(lastDot + 1), 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new InvalidSignature('bad signature');
  return Buffer.from(token.slice(token.indexOf('.') + 1, lastDot), 'base64url');
}

export class InvalidSignature extends Error {}

const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 16_384;

const isCompactJws = (token: unknown): token is string => typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH && JWS_SHAPE.test(token);

/**
 * A JOSE header or claims set: a JSON object, or undefined. Tokens come from anyone, and valid
 * JSON such as `null`, `1`, `[]` or `"x"` is still no header and no claims.
 */
export function jsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * The claims of a well-shaped compact JWS whose signature is NOT checked, or undefined. Only for
 * choosing which realm's keys then verify the token.
 */
export function unverifiedClaims(token: string): JwtClaims | undefined {
  return isCompactJws(token) ? jsonObject(Buffer.from(token.split('.')[1], 'base64url')) : undefined;
}

/**
 * Verifies a compact JWS signed by one of the realm's keys and returns its payload. `kind`
 * restricts which keys may have signed it, so an access token can never pass as a refresh token.
 * Anything malformed, however it is malformed, is an InvalidSignature.
 */
export async function verifyJwt(token: string, keys: RealmKeys, kind: 'hmac' | 'asymmetric'): Promise<JwtClaims> {
  if (!isCompactJws(token)) throw new InvalidSignature('malformed');
  const header = jsonObject(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url'));
  if (!header) throw new InvalidSignature('malformed header');
  const kid = typeof header.kid === 'string' ? header.kid : kind === 'hmac' ? keys.hmac.kid : keys.signing.kid;
  const entry = keys.verification.get(kid);
  const wantHmac = kind === 'hmac';
  if (!entry || entry.algorithm.startsWith('HS') !== wantHmac || header.alg !== entry.algorithm) {
    throw new InvalidSignature('unknown key');
  }
  let payload: Uint8Array;
  try {
    payload = wantHmac ? verifyHmac(token, entry.algorithm, entry.key) : verifyAsymmetric(token, header, entry.algorithm, entry.key);
  } catch {
    throw new InvalidSignature('bad signature');
  }
  const claims = jsonObject(payload);
  if (!claims) throw new InvalidSignature('malformed claims');
  return claims;
}

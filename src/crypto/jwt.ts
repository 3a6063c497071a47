/**
 * Compact JWS signing and verification for tokens. Only the signature is checked here; claims
 * (expiry, issuer, type) are domain rules checked by the caller against the injected clock.
 *
 * HMAC (refresh tokens, cookies) is computed in place with node:crypto: it takes microseconds,
 * while jose's WebCrypto path sends each one to the thread pool and back, which cost a refresh
 * more than its RSA signature's own overhead. Asymmetric signatures stay with jose, off the
 * event loop, where they can use other cores, except EdDSA: jose refuses Ed448 keys, and an
 * Ed25519 signature costs less than the trip to the thread pool, so node:crypto signs both inline.
 */
import { createHmac, sign as signBytes, timingSafeEqual, verify as verifyBytes, type KeyObject } from 'node:crypto';
import { CompactSign, compactVerify } from 'jose';
import type { RealmKeys } from './keys.ts';

export type JwtClaims = Record<string, unknown>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The realm key that signs for `algorithm` (a client's override), else the realm's default signing key. */
export function signingKeyOf(keys: RealmKeys, algorithm?: string): RealmKeys['signing'] {
  return (algorithm && keys.signingByAlgorithm.get(algorithm)) || keys.signing;
}

/**
 * Access, ID and logout tokens (`typ` `logout+jwt`): the realm's active key of `algorithm` (a
 * client's `access.token.signed.response.alg`, say), else of its `defaultSignatureAlgorithm`.
 */
export function signAsymmetric(claims: JwtClaims, keys: RealmKeys, algorithm?: string, typ = 'JWT'): Promise<string> {
  const key = signingKeyOf(keys, algorithm);
  if (key.algorithm === 'EdDSA') return Promise.resolve(signEddsa(claims, key.kid, key.privateKey, typ));
  return new CompactSign(encoder.encode(JSON.stringify(claims))).setProtectedHeader({ alg: key.algorithm, typ, kid: key.kid }).sign(key.privateKey);
}

function signEddsa(claims: JwtClaims, kid: string, privateKey: KeyObject, typ: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ, kid })).toString('base64url');
  const signingInput = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${signingInput}.${signBytes(null, Buffer.from(signingInput), privateKey).toString('base64url')}`;
}

/** The payload of an EdDSA-signed compact JWS (Ed25519 or Ed448, as the key is). */
function verifyEddsa(token: string, publicKey: KeyObject): Uint8Array {
  const lastDot = token.lastIndexOf('.');
  if (!verifyBytes(null, Buffer.from(token.slice(0, lastDot)), publicKey, Buffer.from(token.slice(lastDot + 1), 'base64url'))) throw new InvalidSignature('bad signature');
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
    payload = wantHmac
      ? verifyHmac(token, entry.algorithm, entry.key)
      : entry.algorithm === 'EdDSA'
        ? verifyEddsa(token, entry.key)
        : (await compactVerify(token, entry.key, { algorithms: [entry.algorithm] })).payload;
  } catch {
    throw new InvalidSignature('bad signature');
  }
  const claims = jsonObject(payload);
  if (!claims) throw new InvalidSignature('malformed claims');
  return claims;
}

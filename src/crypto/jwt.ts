/**
 * Compact JWS signing and verification for tokens. Only the signature is checked here; claims
 * (expiry, issuer, type) are domain rules checked by the caller against the injected clock.
 */
import { CompactSign, compactVerify } from 'jose';
import type { RealmKeys } from './keys.ts';

export type JwtClaims = Record<string, unknown>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Access and ID tokens: the realm's asymmetric key (RS256 by default). */
export function signAsymmetric(claims: JwtClaims, keys: RealmKeys): Promise<string> {
  return new CompactSign(encoder.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: keys.signing.algorithm, typ: 'JWT', kid: keys.signing.kid })
    .sign(keys.signing.privateKey);
}

/** Refresh tokens and the identity cookie: the realm's HMAC key (HS512), as Keycloak does. */
export function signHmac(claims: JwtClaims, keys: RealmKeys): Promise<string> {
  return new CompactSign(encoder.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'HS512', typ: 'JWT', kid: keys.hmac.kid })
    .sign(keys.hmac.key);
}

export class InvalidSignature extends Error {}

const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Verifies a compact JWS signed by one of the realm's keys and returns its payload. `kind`
 * restricts which keys may have signed it, so an access token can never pass as a refresh token.
 */
export async function verifyJwt(token: string, keys: RealmKeys, kind: 'hmac' | 'asymmetric'): Promise<JwtClaims> {
  if (typeof token !== 'string' || token.length > 16_384 || !JWS_SHAPE.test(token)) throw new InvalidSignature('malformed');
  let header: { kid?: unknown; alg?: unknown };
  try {
    header = JSON.parse(decoder.decode(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url')));
  } catch {
    throw new InvalidSignature('malformed header');
  }
  const kid = typeof header.kid === 'string' ? header.kid : kind === 'hmac' ? keys.hmac.kid : keys.signing.kid;
  const entry = keys.verification.get(kid);
  const wantHmac = kind === 'hmac';
  if (!entry || entry.algorithm.startsWith('HS') !== wantHmac || header.alg !== entry.algorithm) {
    throw new InvalidSignature('unknown key');
  }
  try {
    const { payload } = await compactVerify(token, entry.key, { algorithms: [entry.algorithm] });
    const claims = JSON.parse(decoder.decode(payload));
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw new Error('not an object');
    return claims as JwtClaims;
  } catch {
    throw new InvalidSignature('bad signature');
  }
}

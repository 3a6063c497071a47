import { createHash, type KeyObject } from 'node:crypto';
import type { RealmKeys } from './keys.ts';

/**
 * OIDC's `at_hash`, `c_hash` and `s_hash`: the left half of a value's hash, with the hash of the
 * algorithm that signs the ID token (SHA-384 for RS384/PS384/ES384, SHA-512 for *512, else
 * SHA-256). EdDSA hashes by curve, as Keycloak does: SHA-512 for Ed25519, SHAKE256 (64 bytes, Java's default length; checked against Keycloak 26.7)
 * for Ed448.
 */
export function halfHash(value: string, algorithm: string, key?: KeyObject): string {
  let digest: Buffer;
  if (algorithm === 'EdDSA') {
    digest = key?.asymmetricKeyType === 'ed448' ? createHash('shake256', { outputLength: 64 }).update(value).digest() : createHash('sha512').update(value).digest();
  } else {
    const bits = algorithm.slice(-3);
    digest = createHash(bits === '384' ? 'sha384' : bits === '512' ? 'sha512' : 'sha256').update(value).digest();
  }
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** `at_hash` of an access token, with the algorithm (and for EdDSA the key) from its own header. */
export function atHash(accessToken: string, keys?: RealmKeys): string {
  const header = JSON.parse(Buffer.from(accessToken.slice(0, accessToken.indexOf('.')), 'base64url').toString('utf8')) as { alg: string; kid?: string };
  const key = header.alg === 'EdDSA' && keys && header.kid !== undefined ? keys.verification.get(header.kid)?.key : undefined;
  return halfHash(accessToken, header.alg, key);
}

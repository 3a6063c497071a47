import { createHash } from 'node:crypto';

/**
 * OIDC's `at_hash`, `c_hash` and `s_hash`: the left half of a value's hash, with the hash of the
 * algorithm that signs the ID token (SHA-384 for RS384/PS384/ES384, SHA-512 for *512, else SHA-256).
 */
export function halfHash(value: string, algorithm: string): string {
  const bits = algorithm.slice(-3);
  const digest = createHash(bits === '384' ? 'sha384' : bits === '512' ? 'sha512' : 'sha256').update(value).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** `at_hash` of an access token, with the algorithm from its own header. */
export function atHash(accessToken: string): string {
  const header = JSON.parse(Buffer.from(accessToken.slice(0, accessToken.indexOf('.')), 'base64url').toString('utf8')) as { alg: string };
  return halfHash(accessToken, header.alg);
}

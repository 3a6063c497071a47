import { createHash } from 'node:crypto';

/**
 * OIDC `at_hash`: left half of the access token's hash, with the hash of the algorithm that
 * signed it (SHA-384 for RS384/PS384/ES384, …), read from the token's own header.
 */
export function atHash(accessToken: string): string {
  const header = JSON.parse(Buffer.from(accessToken.slice(0, accessToken.indexOf('.')), 'base64url').toString('utf8')) as { alg: string };
  const bits = header.alg.slice(-3);
  const digest = createHash(bits === '384' ? 'sha384' : bits === '512' ? 'sha512' : 'sha256').update(accessToken).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

import { sha256 } from './random.ts';

/** OIDC `at_hash`: left half of the SHA-256 (the hash of RS256/ES256) of the access token. */
export function atHash(accessToken: string): string {
  const digest = sha256(accessToken);
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

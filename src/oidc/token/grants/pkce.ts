/** PKCE (RFC 7636) verifier checks, with Keycloak's error strings. */
import { invalidGrant } from '../../../errors/index.ts';
import { constantTimeEqual, sha256Base64Url } from '../../../crypto/index.ts';

const VERIFIER_SHAPE = /^[A-Za-z0-9\-._~]{43,128}$/;

export function verifyPkce(challenge: string | undefined, method: 'plain' | 'S256' | undefined, verifier: string | undefined): void {
  if (challenge === undefined) {
    if (verifier !== undefined) throw invalidGrant('PKCE code verifier specified but challenge not present in authorization');
    return;
  }
  if (verifier === undefined || verifier === '') throw invalidGrant('PKCE code verifier not specified');
  if (!VERIFIER_SHAPE.test(verifier)) throw invalidGrant('PKCE verification failed: Invalid code verifier');
  const computed = method === 'S256' ? sha256Base64Url(verifier) : verifier;
  if (!constantTimeEqual(computed, challenge)) throw invalidGrant('PKCE verification failed: Code mismatch');
}

/**
 * Signature checks of client assertions (RFC 7523 client authentication): `private_key_jwt`
 * against the client's JWKS or certificate, `client_secret_jwt` against its secret. Only the
 * signature is checked here; the assertion's claims are the authenticator's business.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { compactVerify, createLocalJWKSet, errors, importX509, type JSONWebKeySet } from 'jose';
import { InvalidSignature } from './jwt.ts';

/** What Keycloak 26 accepts for signed client authentication, in its discovery order. */
export const ASYMMETRIC_ASSERTION_ALGORITHMS = ['PS384', 'RS384', 'EdDSA', 'ES384', 'ES256', 'RS256', 'ES512', 'PS256', 'PS512', 'RS512'];
export const HMAC_ASSERTION_ALGORITHMS = ['HS256', 'HS384', 'HS512'];

/** The client has no key that could have signed the assertion (Keycloak: "Unable to load public key"). */
export class UnknownClientKey extends Error {}

export type AssertionKey = { jwks: JSONWebKeySet } | { certificate: string } | { secret: string };

export interface DecodedAssertion {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

const MAX_ASSERTION_LENGTH = 16_384;
const PART = /^[A-Za-z0-9_-]*$/;

function jsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Header and claims of a compact JWS, signature unchecked, or undefined when it is not one. An
 * empty signature is allowed here so that `alg: none` can be refused by name.
 */
export function decodeAssertion(token: string): DecodedAssertion | undefined {
  if (token.length > MAX_ASSERTION_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] === '' || parts[1] === '' || !parts.every((p) => PART.test(p))) return undefined;
  const header = jsonObject(parts[0]);
  const claims = jsonObject(parts[1]);
  return header && claims ? { header, claims } : undefined;
}

const HMAC_DIGESTS: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

function verifyHmac(token: string, algorithm: string, secret: string): void {
  const lastDot = token.lastIndexOf('.');
  const expected = createHmac(HMAC_DIGESTS[algorithm], secret).update(token.slice(0, lastDot)).digest();
  const actual = Buffer.from(token.slice(lastDot + 1), 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new InvalidSignature('bad signature');
}

const pem = (base64Der: string): string => `-----BEGIN CERTIFICATE-----\n${base64Der.replace(/\s+/g, '')}\n-----END CERTIFICATE-----`;

/** Verifies the assertion's signature with `algorithm` (already checked against the client's rules). */
export async function verifyAssertionSignature(token: string, algorithm: string, key: AssertionKey): Promise<void> {
  if ('secret' in key) {
    if (!HMAC_DIGESTS[algorithm]) throw new InvalidSignature('not an HMAC algorithm');
    return verifyHmac(token, algorithm, key.secret);
  }
  let verifier: Parameters<typeof compactVerify>[1];
  try {
    verifier = 'jwks' in key ? createLocalJWKSet(key.jwks) : await importX509(pem(key.certificate), algorithm);
  } catch {
    throw new UnknownClientKey('unusable key material');
  }
  try {
    await compactVerify(token, verifier, { algorithms: [algorithm] });
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSInvalid || error instanceof errors.JWKSMultipleMatchingKeys) {
      throw new UnknownClientKey('no matching key');
    }
    throw new InvalidSignature('bad signature');
  }
}

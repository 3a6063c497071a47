/**
 * Signature checks of client assertions (RFC 7523 client authentication): `private_key_jwt`
 * against the client's JWKS or certificate, `client_secret_jwt` against its secret. Only the
 * signature is checked here; the assertion's claims are the authenticator's business.
 */
import { compactVerify, createLocalJWKSet, errors, importX509, type JSONWebKeySet } from 'jose';
import { InvalidSignature, jsonObject, verifyHmac } from './jwt.ts';

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

/**
 * Header and claims of a compact JWS, signature unchecked, or undefined when it is not one. An
 * empty signature is allowed here so that `alg: none` can be refused by name (or, for a request
 * object, accepted where the client is configured for it).
 */
export function decodeAssertion(token: string, maxLength = MAX_ASSERTION_LENGTH): DecodedAssertion | undefined {
  if (token.length > maxLength) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] === '' || parts[1] === '' || !parts.every((p) => PART.test(p))) return undefined;
  const header = jsonObject(Buffer.from(parts[0], 'base64url'));
  const claims = jsonObject(Buffer.from(parts[1], 'base64url'));
  return header && claims ? { header, claims } : undefined;
}

const pem = (base64Der: string): string => `-----BEGIN CERTIFICATE-----\n${base64Der.replace(/\s+/g, '')}\n-----END CERTIFICATE-----`;

/** Verifies the assertion's signature with `algorithm` (already checked against the client's rules). */
export async function verifyAssertionSignature(token: string, algorithm: string, key: AssertionKey): Promise<void> {
  if ('secret' in key) {
    if (!HMAC_ASSERTION_ALGORITHMS.includes(algorithm)) throw new InvalidSignature('not an HMAC algorithm');
    verifyHmac(token, algorithm, key.secret);
    return;
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

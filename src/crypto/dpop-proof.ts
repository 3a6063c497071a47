/**
 * The signature half of a DPoP proof (RFC 9449 §4.3): the JOSE header (`typ` `dpop+jwt`, an
 * asymmetric `alg`, a public `jwk`) and the signature made with that key. The proof's claims
 * (`htm`, `htu`, `iat`, `jti`, `ath`) are the endpoint's rules and are checked by the caller.
 * Proofs come with every DPoP request, so this is a hot path: a key is imported once per JWK
 * thumbprint and kept in a bounded cache, and what remains per proof is the signature check.
 * Failures carry Keycloak 26's texts.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { compactVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { jsonObject } from './jwt.ts';

/** The asymmetric algorithms Keycloak accepts for proofs, in its discovery order. */
export const DPOP_SIGNING_ALGORITHMS = ['PS384', 'RS384', 'EdDSA', 'ES384', 'ES256', 'RS256', 'ES512', 'PS256', 'PS512', 'RS512'];
const SUPPORTED = new Set(DPOP_SIGNING_ALGORITHMS);
/** JWS algorithm names Keycloak knows but refuses for proofs (named in its message); any other name is an unreadable header. */
const KNOWN_UNSUPPORTED = new Set(['none', 'HS256', 'HS384', 'HS512']);

/** What key type each algorithm needs; a key of another type can never verify the proof. */
const KEY_TYPE: Record<string, string> = { RS: 'RSA', PS: 'RSA', ES: 'EC', Ed: 'OKP' };
/** The size of an EC key's coordinates: an ECDSA signature is two of them, and any other length cannot be one. */
const EC_COORDINATE_BYTES: Record<string, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
const VERIFICATION_FAILURE = 'DPoP verification failure: ';

/** RFC 7638: the members that define each key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, string[]> = { RSA: ['e', 'kty', 'n'], EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'] };
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

const MAX_PROOF_LENGTH = 8_192;
const PART = /^[A-Za-z0-9_-]*$/;
/** Imported keys kept per node; a key outside it is imported again (a fraction of a millisecond). */
const CACHED_KEYS = 1_000;

/** A proof that fails, with the text Keycloak answers. */
export class DPoPProofError extends Error {}

export interface VerifiedProof {
  claims: Record<string, unknown>;
  /** RFC 7638 SHA-256 thumbprint of the proof's key: the `cnf.jkt` it binds tokens to. */
  thumbprint: string;
}

const keys = new LRUCache<string, KeyObject>({ max: CACHED_KEYS });

function thumbprintOf(jwk: Record<string, unknown>, kty: string): string {
  const members = THUMBPRINT_MEMBERS[kty];
  const canonical: Record<string, unknown> = {};
  for (const name of members) {
    if (typeof jwk[name] !== 'string' || jwk[name] === '') throw new DPoPProofError('No public key in DPoP header');
    canonical[name] = jwk[name];
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

function publicKeyOf(jwk: Record<string, unknown>, thumbprint: string, kty: string): KeyObject {
  const cached = keys.get(thumbprint);
  if (cached) return cached;
  const members: Record<string, string> = { kty };
  for (const name of THUMBPRINT_MEMBERS[kty]) members[name] = jwk[name] as string;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: members, format: 'jwk' });
  } catch {
    throw new DPoPProofError('No public key in DPoP header');
  }
  keys.set(thumbprint, key);
  return key;
}

/**
 * Checks a proof's header and signature and returns its claims and key thumbprint, or throws a
 * DPoPProofError. Nothing in the claims is believed here.
 */
export async function verifyDPoPProof(proof: string): Promise<VerifiedProof> {
  const parts = proof.split('.');
  // An empty signature still parses, so that `alg: none` is refused by name.
  if (proof.length > MAX_PROOF_LENGTH || parts.length !== 3 || parts[0] === '' || parts[1] === '' || !parts.every((p) => PART.test(p))) throw new DPoPProofError('DPoP header verification failure');
  const header = jsonObject(Buffer.from(parts[0], 'base64url'));
  const claims = jsonObject(Buffer.from(parts[1], 'base64url'));
  if (!header || !claims) throw new DPoPProofError('DPoP header verification failure');
  const { typ, alg, jwk } = header;
  if (typ !== 'dpop+jwt') throw new DPoPProofError(`Invalid or missing type in DPoP header: ${typeof typ === 'string' ? typ : 'null'}`);
  if (typeof alg !== 'string' || !(SUPPORTED.has(alg) || KNOWN_UNSUPPORTED.has(alg))) throw new DPoPProofError('DPoP header verification failure');
  if (!SUPPORTED.has(alg)) throw new DPoPProofError(`Unsupported DPoP algorithm: ${alg}`);
  if (jwk === undefined || jwk === null) throw new DPoPProofError('No JWK in DPoP header');
  if (typeof jwk !== 'object' || Array.isArray(jwk)) throw new DPoPProofError('DPoP header verification failure');
  const key = jwk as Record<string, unknown>;
  const kty = key.kty;
  if (typeof kty !== 'string' || !THUMBPRINT_MEMBERS[kty]) throw new DPoPProofError('Unsupported key type in DPoP header');
  if (PRIVATE_MEMBERS.some((name) => key[name] !== undefined)) throw new DPoPProofError('Private key material must not be present in DPoP JWK');
  const thumbprint = thumbprintOf(key, kty);
  const publicKey = publicKeyOf(key, thumbprint, kty);
  if (KEY_TYPE[alg.slice(0, 2)] !== kty) throw new DPoPProofError(`Key with algorithm ${alg} and type ${kty} is incorrect for provider algorithm ${alg}`);
  // Keycloak's texts name its Java exceptions; clients see them, so they are kept word for word.
  const signature = Buffer.from(parts[2], 'base64url');
  if (kty === 'EC' && signature.length !== 2 * (EC_COORDINATE_BYTES[key.crv as string] ?? 0)) throw new DPoPProofError(`${VERIFICATION_FAILURE}org.keycloak.common.VerificationException: Signing failed`);
  try {
    await compactVerify(proof, publicKey, { algorithms: [alg] });
  } catch {
    throw new DPoPProofError(`${VERIFICATION_FAILURE}org.keycloak.exceptions.TokenSignatureInvalidException: Invalid token signature`);
  }
  return { claims, thumbprint };
}

/** `ath` (RFC 9449 §4.2): base64url SHA-256 of the access token the proof goes with. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

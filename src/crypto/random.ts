/**
 * Identifiers, bearer secrets and their hashes. Bearer secrets (authorization codes, client
 * secrets) are kept in the store only as SHA-256 hashes and compared in constant time.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

export const newId = (): string => randomUUID();

/** 256 bits of randomness, base64url: authorization codes, session codes, CSRF tokens. */
export const newSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export const sha256 = (value: string | Buffer): Buffer => createHash('sha256').update(value).digest();
export const sha256Base64Url = (value: string | Buffer): string => sha256(value).toString('base64url');
export const sha256Hex = (value: string | Buffer): string => sha256(value).toString('hex');

/** Compares two strings without leaking where they differ; hashing first equalises lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** True when `secret` hashes to `expectedHashHex`, in constant time. */
export function matchesHash(secret: string, expectedHashHex: string): boolean {
  const expected = Buffer.from(expectedHashHex, 'hex');
  const actual = sha256(secret);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

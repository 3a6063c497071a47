/**
 * Authenticated encryption (AES-256-GCM) for secrets that must be read back: client secrets
 * (Keycloak's admin API returns them) under a realm's data key, and realm key material under the
 * key-encryption key. `context` (additional authenticated data) binds a ciphertext to the row it
 * belongs to, so sealed values cannot be swapped between rows unnoticed.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export function seal(key: Buffer, plaintext: string, context?: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (context !== undefined) cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url')).join('.');
}

/** Throws if the key is wrong or the value (or its context) was altered. */
export function open(key: Buffer, sealed: string, context?: string): string {
  const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}

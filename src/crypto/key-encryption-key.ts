/**
 * The key-encryption key (KEK) that seals realm key material at rest. It never lives in the
 * database it protects: it comes from a file or a variable (src/store/sql/secrets-at-rest.ts).
 * A KEK is named by a key id derived from it and stored next to every value it sealed, so that
 * a node knows which key a value needs, a wrong key is refused by name before anything is
 * written, and a rotation can tell values still under the old key from re-wrapped ones.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { open, seal } from './secret-box.ts';

/** A key-encryption key that is missing, malformed or not the one the database needs. */
export class KekError extends Error {}

const KEY_BYTES = 32;

export class KeyEncryptionKey {
  readonly kid: string;
  /** Private, so that logging or inspecting the object never prints the key. */
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new KekError(`a key-encryption key has ${KEY_BYTES} bytes, not ${key.length}`);
    this.#key = key;
    // Keyed and one-way: the id names the key without telling anything about it.
    this.kid = createHmac('sha256', key).update('holdfast key-encryption key id').digest('base64url').slice(0, 16);
  }

  seal(plaintext: string, context: string): string {
    return seal(this.#key, plaintext, context);
  }

  open(sealed: string, context: string): string {
    return open(this.#key, sealed, context);
  }
}

/** A new random key as the text a KEK file holds (base64, as `openssl rand -base64 32` writes). */
export function newKeyEncryptionKeyText(): string {
  return randomBytes(KEY_BYTES).toString('base64') + '\n';
}

/** Reads a KEK written as base64, base64url or hex; `origin` names the file or variable in errors. */
export function parseKeyEncryptionKey(text: string, origin: string): KeyEncryptionKey {
  const trimmed = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) key = Buffer.from(trimmed, 'base64');
  if (key?.length !== KEY_BYTES) throw new KekError(`${origin}: expected a key of 32 bytes in base64 or hex (openssl rand -base64 32)`);
  return new KeyEncryptionKey(key);
}

/**
 * The KEKs a node holds: `current` seals everything written, `previous` (given only during a
 * rotation) still opens what it sealed until `holdfast rotate-kek` has re-wrapped it.
 */
export class KeyRing {
  constructor(
    readonly current: KeyEncryptionKey,
    readonly previous?: KeyEncryptionKey,
  ) {
    if (previous?.kid === current.kid) throw new KekError(`the previous key-encryption key is the current one (kid ${current.kid})`);
  }

  opens(kid: string): boolean {
    return kid === this.current.kid || kid === this.previous?.kid;
  }

  wrap(plaintext: string, context: string): { kekId: string; sealed: string } {
    return { kekId: this.current.kid, sealed: this.current.seal(plaintext, context) };
  }

  unwrap(kekId: string, sealed: string, context: string): string {
    const kek = kekId === this.current.kid ? this.current : kekId === this.previous?.kid ? this.previous : undefined;
    if (!kek) throw this.doesNotOpen([kekId]);
    try {
      return kek.open(sealed, context);
    } catch {
      throw new KekError(`${context}: the sealed value does not open under kid ${kekId}: it was altered or damaged`);
    }
  }

  /** The refusal for values sealed under keys this ring does not hold. */
  doesNotOpen(kids: string[]): KekError {
    const given = this.previous ? `${this.current.kid}, previous ${this.previous.kid}` : this.current.kid;
    return new KekError(`the key-encryption key does not open this database's secrets (kid ${kids.join(', ')}; given kid ${given})`);
  }
}

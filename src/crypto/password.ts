/**
 * Password hashing in Keycloak's credential format, so that credentials exported from Keycloak
 * verify here and ours export back. New hashes are argon2id with Keycloak 26's parameters.
 */
import { Algorithm, Version, hashRaw } from '@node-rs/argon2';
import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { passwordHashCost, type Argon2Cost } from './password-bounds.ts';

const pbkdf2Async = promisify(pbkdf2);

/** Keycloak's `credentialData` for a password (parsed). `additionalParameters` values are string arrays. */
export interface PasswordCredentialData {
  hashIterations: number;
  algorithm: string;
  additionalParameters?: Record<string, string[]>;
}
/** Keycloak's `secretData` for a password (parsed): base64 hash and salt. */
export interface PasswordSecretData {
  value: string;
  salt: string;
  additionalParameters?: Record<string, string[]>;
}
export interface PasswordHash {
  credentialData: PasswordCredentialData;
  secretData: PasswordSecretData;
}

const ARGON2_DEFAULTS = { memory: 7168, iterations: 5, parallelism: 1, hashLength: 32 };

/** Keycloak 26's iterations per algorithm, for a policy that names the algorithm but no count. */
export const DEFAULT_HASH_ITERATIONS: Record<string, number> = { argon2: ARGON2_DEFAULTS.iterations, 'pbkdf2-sha512': 210_000, 'pbkdf2-sha256': 600_000, pbkdf2: 1_300_000 };
const PBKDF2_DIGEST: Record<string, string> = { 'pbkdf2-sha512': 'sha512', 'pbkdf2-sha256': 'sha256', pbkdf2: 'sha1' };
/** Keycloak derives 512 bits with pbkdf2. */
const PBKDF2_KEY_BYTES = 64;

/** How new passwords are hashed: the realm policy's `hashAlgorithm` and `hashIterations`. */
export interface HashChoice {
  algorithm: string;
  iterations?: number;
}

export async function hashPassword(password: string, choice: HashChoice = { algorithm: 'argon2' }): Promise<PasswordHash> {
  const salt = randomBytes(16);
  const digest = PBKDF2_DIGEST[choice.algorithm];
  if (digest) {
    const hashIterations = choice.iterations ?? DEFAULT_HASH_ITERATIONS[choice.algorithm];
    const derived = await pbkdf2Async(password, salt, hashIterations, PBKDF2_KEY_BYTES, digest);
    return {
      credentialData: { hashIterations, algorithm: choice.algorithm, additionalParameters: {} },
      secretData: { value: derived.toString('base64'), salt: salt.toString('base64'), additionalParameters: {} },
    };
  }
  const timeCost = choice.iterations ?? ARGON2_DEFAULTS.iterations;
  const hash = await hashRaw(password, {
    algorithm: Algorithm.Argon2id,
    version: Version.V0x13,
    memoryCost: ARGON2_DEFAULTS.memory,
    timeCost,
    parallelism: ARGON2_DEFAULTS.parallelism,
    outputLen: ARGON2_DEFAULTS.hashLength,
    salt,
  });
  return {
    credentialData: {
      hashIterations: timeCost,
      algorithm: 'argon2',
      additionalParameters: {
        hashLength: [String(ARGON2_DEFAULTS.hashLength)],
        memory: [String(ARGON2_DEFAULTS.memory)],
        type: ['id'],
        version: ['1.3'],
        parallelism: [String(ARGON2_DEFAULTS.parallelism)],
      },
    },
    secretData: { value: hash.toString('base64'), salt: salt.toString('base64'), additionalParameters: {} },
  };
}

const ARGON2_TYPES: Record<Argon2Cost['type'], Algorithm> = { id: Algorithm.Argon2id, i: Algorithm.Argon2i, d: Algorithm.Argon2d };

/**
 * Verifies a password against a stored credential of any supported algorithm, in constant time.
 * A credential outside PASSWORD_HASH_LIMITS never verifies and costs nothing: the edges refuse
 * such credentials, and this guards any stored before the limits existed. Logins go through
 * PasswordWork, which schedules this fairly.
 */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const checked = passwordHashCost(stored);
  if ('problem' in checked) return false;
  const cost = checked.cost;
  const expected = Buffer.from(stored.secretData.value, 'base64');
  const salt = Buffer.from(stored.secretData.salt ?? '', 'base64');
  const actual =
    cost.kind === 'argon2'
      ? await hashRaw(password, {
          algorithm: ARGON2_TYPES[cost.type],
          version: cost.version === '1.0' ? Version.V0x10 : Version.V0x13,
          memoryCost: cost.memoryKiB,
          timeCost: cost.iterations,
          parallelism: cost.parallelism,
          outputLen: cost.hashLength,
          salt,
        })
      : await pbkdf2Async(password, salt, cost.iterations, cost.keyLength, cost.digest);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Password hashing in Keycloak's credential format, so that credentials exported from Keycloak
 * verify here and ours export back. New hashes are argon2id with Keycloak 26's parameters.
 */
import { Algorithm, Version, hashRaw } from '@node-rs/argon2';
import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

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

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16);
  const hash = await hashRaw(password, {
    algorithm: Algorithm.Argon2id,
    version: Version.V0x13,
    memoryCost: ARGON2_DEFAULTS.memory,
    timeCost: ARGON2_DEFAULTS.iterations,
    parallelism: ARGON2_DEFAULTS.parallelism,
    outputLen: ARGON2_DEFAULTS.hashLength,
    salt,
  });
  return {
    credentialData: {
      hashIterations: ARGON2_DEFAULTS.iterations,
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

const ARGON2_TYPES: Record<string, Algorithm> = { id: Algorithm.Argon2id, i: Algorithm.Argon2i, d: Algorithm.Argon2d };
const PBKDF2_DIGESTS: Record<string, { digest: string; keyLength: number }> = {
  'pbkdf2-sha512': { digest: 'sha512', keyLength: 64 },
  'pbkdf2-sha256': { digest: 'sha256', keyLength: 32 },
  pbkdf2: { digest: 'sha1', keyLength: 64 },
};

function param(data: PasswordCredentialData, name: string, fallback: number): number {
  const raw = data.additionalParameters?.[name]?.[0];
  const value = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Verifies a password against a stored credential of any supported algorithm, in constant time. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const { credentialData, secretData } = stored;
  const expected = Buffer.from(secretData.value, 'base64');
  const salt = Buffer.from(secretData.salt ?? '', 'base64');
  let actual: Buffer;
  if (credentialData.algorithm === 'argon2') {
    const type = credentialData.additionalParameters?.type?.[0] ?? 'id';
    const version = credentialData.additionalParameters?.version?.[0] === '1.0' ? Version.V0x10 : Version.V0x13;
    actual = await hashRaw(password, {
      algorithm: ARGON2_TYPES[type] ?? Algorithm.Argon2id,
      version,
      memoryCost: param(credentialData, 'memory', ARGON2_DEFAULTS.memory),
      timeCost: credentialData.hashIterations || ARGON2_DEFAULTS.iterations,
      parallelism: param(credentialData, 'parallelism', ARGON2_DEFAULTS.parallelism),
      outputLen: param(credentialData, 'hashLength', expected.length || ARGON2_DEFAULTS.hashLength),
      salt,
    });
  } else if (PBKDF2_DIGESTS[credentialData.algorithm]) {
    const { digest } = PBKDF2_DIGESTS[credentialData.algorithm];
    // Keycloak derives as many bytes as it stored; the stored length is the key length.
    actual = await pbkdf2Async(password, salt, credentialData.hashIterations, expected.length, digest);
  } else {
    return false;
  }
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function isSupportedPasswordAlgorithm(algorithm: string): boolean {
  return algorithm === 'argon2' || algorithm in PBKDF2_DIGESTS;
}

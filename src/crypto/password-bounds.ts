/**
 * Bounds on the work one stored password costs to verify. A password credential carries its own
 * cost (Keycloak's `credentialData`: iterations, argon2 memory and lanes), and credentials come
 * from realm files and from the admins of every realm; unbounded, one realm's admin could stall
 * every realm's logins (the hashing threads are shared by the whole process) or run the process
 * out of memory. The bounds leave generous headroom over Keycloak 26's defaults, so any real
 * Keycloak export fits (README, "Password hashes"). This module reads the parameters the same way
 * for the import check, the verification and the hashing scheduler's memory accounting.
 */

export const PASSWORD_HASH_LIMITS = {
  /** Keycloak 26 defaults: 210,000 (sha512), 600,000 (sha256), 1,300,000 (sha1); older exports 27,500. */
  pbkdf2MaxIterations: 2_000_000,
  /** Keycloak derives 256 or 512 bits. */
  pbkdf2MaxKeyBytes: 64,
  /** KiB; Keycloak 26 uses 7168. */
  argon2MaxMemoryKiB: 65_536,
  /** Keycloak 26 uses 5. */
  argon2MaxIterations: 10,
  /** Keycloak 26 uses 1. */
  argon2MaxParallelism: 4,
  /** Bytes; Keycloak 26 uses 32, argon2 itself needs at least 4. */
  argon2MinHashBytes: 4,
  argon2MaxHashBytes: 64,
  /** Argon2 needs a salt of at least 8 bytes (Keycloak's is 16). */
  argon2MinSaltBytes: 8,
} as const;

const ARGON2_DEFAULTS = { memory: 7168, iterations: 5, parallelism: 1, hashLength: 32 };

export interface Argon2Cost {
  kind: 'argon2';
  type: 'id' | 'i' | 'd';
  version: '1.3' | '1.0';
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  hashLength: number;
}
export interface Pbkdf2Cost {
  kind: 'pbkdf2';
  digest: 'sha1' | 'sha256' | 'sha512';
  iterations: number;
  keyLength: number;
}
export type PasswordHashCost = Argon2Cost | Pbkdf2Cost;

/** Why a stored hash is refused: the field (relative to the credential representation) and the reason. */
export interface PasswordHashProblem {
  field: string;
  reason: string;
}

/** The parts of a stored password hash (Keycloak's `credentialData` and `secretData`) that set its cost. */
export interface HashParameters {
  credentialData: { algorithm: string; hashIterations?: number; additionalParameters?: Record<string, string[]> };
  secretData: { value: string; salt?: string };
}

const PBKDF2_DIGESTS: Record<string, Pbkdf2Cost['digest']> = { 'pbkdf2-sha512': 'sha512', 'pbkdf2-sha256': 'sha256', pbkdf2: 'sha1' };

class Refused extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function bounded(value: number, field: string, min: number, max: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < min) throw new Refused(field, min === 1 ? 'must be a positive integer' : `must be an integer of at least ${min}`);
  if (value > max) throw new Refused(field, `${value} exceeds holdfast's limit of ${max} ${what}`);
  return value;
}

/** An argon2 parameter from `additionalParameters` (string arrays), `fallback` when absent. */
function argon2Param(hash: HashParameters, name: string, fallback: number, min: number, max: number, what: string): number {
  const values = hash.credentialData.additionalParameters?.[name];
  const field = `credentialData.additionalParameters.${name}`;
  if (values === undefined || values.length === 0) return bounded(fallback, field, min, max, what);
  if (!/^\d{1,15}$/.test(values[0])) throw new Refused(field, 'must be a positive integer');
  return bounded(Number(values[0]), field, min, max, what);
}

function argon2Cost(hash: HashParameters): Argon2Cost {
  const extra = hash.credentialData.additionalParameters ?? {};
  const type = extra.type?.[0] ?? 'id';
  if (type !== 'id' && type !== 'i' && type !== 'd') throw new Refused('credentialData.additionalParameters.type', `unsupported argon2 type '${type}' (id, i or d)`);
  const version = extra.version?.[0] ?? '1.3';
  if (version !== '1.3' && version !== '1.0') throw new Refused('credentialData.additionalParameters.version', `unsupported argon2 version '${version}' (1.3 or 1.0)`);
  const L = PASSWORD_HASH_LIMITS;
  const iterations = bounded(hash.credentialData.hashIterations ?? ARGON2_DEFAULTS.iterations, 'credentialData.hashIterations', 1, L.argon2MaxIterations, 'argon2 iterations');
  const parallelism = argon2Param(hash, 'parallelism', ARGON2_DEFAULTS.parallelism, 1, L.argon2MaxParallelism, 'argon2 lanes');
  const memoryKiB = argon2Param(hash, 'memory', ARGON2_DEFAULTS.memory, 8 * parallelism, L.argon2MaxMemoryKiB, 'KiB of argon2 memory');
  const storedLength = Buffer.from(hash.secretData.value ?? '', 'base64').length;
  const hashLength = argon2Param(hash, 'hashLength', storedLength || ARGON2_DEFAULTS.hashLength, L.argon2MinHashBytes, L.argon2MaxHashBytes, 'bytes of argon2 hash');
  if (Buffer.from(hash.secretData.salt ?? '', 'base64').length < L.argon2MinSaltBytes) {
    throw new Refused('secretData.salt', `an argon2 salt needs at least ${L.argon2MinSaltBytes} bytes`);
  }
  return { kind: 'argon2', type, version, memoryKiB, iterations, parallelism, hashLength };
}

function pbkdf2Cost(hash: HashParameters, digest: Pbkdf2Cost['digest']): Pbkdf2Cost {
  const L = PASSWORD_HASH_LIMITS;
  const iterations = bounded(hash.credentialData.hashIterations ?? 0, 'credentialData.hashIterations', 1, L.pbkdf2MaxIterations, 'pbkdf2 iterations');
  // Keycloak derives as many bytes as it stored, so the stored hash's length is the key length.
  const keyLength = Buffer.from(hash.secretData.value ?? '', 'base64').length;
  if (keyLength > L.pbkdf2MaxKeyBytes) throw new Refused('secretData.value', `a ${keyLength}-byte pbkdf2 hash exceeds holdfast's limit of ${L.pbkdf2MaxKeyBytes} bytes`);
  if (keyLength === 0) throw new Refused('secretData.value', 'expected a base64 hash');
  return { kind: 'pbkdf2', digest, iterations, keyLength };
}

/** The work a stored hash asks for, or why it is refused (unknown algorithm, a parameter out of bounds). */
export function passwordHashCost(hash: HashParameters): { cost: PasswordHashCost } | { problem: PasswordHashProblem } {
  const algorithm = hash.credentialData.algorithm;
  try {
    if (algorithm === 'argon2') return { cost: argon2Cost(hash) };
    if (Object.hasOwn(PBKDF2_DIGESTS, algorithm)) return { cost: pbkdf2Cost(hash, PBKDF2_DIGESTS[algorithm]) };
    return { problem: { field: 'credentialData.algorithm', reason: `unsupported password hash algorithm '${algorithm}'` } };
  } catch (error) {
    if (error instanceof Refused) return { problem: { field: error.field, reason: error.reason } };
    throw error;
  }
}

/**
 * Keycloak's password policy string (`length(8) and digits(1) and notUsername(undefined)`),
 * parsed at the edge: an unknown rule or a bad value is refused with Keycloak's `errorMessage`
 * (plus the rule's name), never dropped. Parsed policies are remembered by their text, so a
 * login or a password change does not parse the realm's policy again.
 */
import { DEFAULT_HASH_ITERATIONS, PASSWORD_HASH_LIMITS, type HashChoice } from '../../crypto/index.ts';

/** A rule checked against a new password, in the order the policy names them. */
export type PasswordRule =
  | { id: 'length' | 'maxLength' | 'digits' | 'lowerCase' | 'upperCase' | 'specialChars'; count: number }
  | { id: 'notUsername' | 'notContainsUsername' | 'notEmail' }
  | { id: 'regexPattern'; pattern: RegExp }
  | { id: 'passwordHistory'; count: number }
  | { id: 'passwordAge'; days: number }
  | { id: 'passwordBlacklist'; file: string };

export interface PasswordPolicy {
  rules: PasswordRule[];
  /** `passwordHistory(n)`: how many passwords (the current one included) a new one must differ from. */
  historyLength: number;
  /** `passwordAge(days)`: kept history must cover this many days. */
  ageDays: number;
  /** `forceExpiredPasswordChange(days)`: a password older than this must be changed at login. */
  expireDays?: number;
  hash: HashChoice;
}

export class PasswordPolicyError extends Error {
  constructor(
    readonly errorMessage: string,
    readonly rule: string,
  ) {
    super(`${errorMessage}: ${rule}`);
  }
}

const COUNT_DEFAULTS: Record<string, number> = { length: 8, maxLength: 64, digits: 1, lowerCase: 1, upperCase: 1, specialChars: 1, passwordHistory: 3, passwordAge: 30, forceExpiredPasswordChange: 365 };
const NO_VALUE = new Set(['notUsername', 'notContainsUsername', 'notEmail']);
const HASH_ALGORITHMS = new Set(Object.keys(DEFAULT_HASH_ITERATIONS));
/** A blacklist is a file name inside <data-dir>/password-blacklists, never a path. */
const BLACKLIST_NAME = /^[A-Za-z0-9._-]{1,128}$/;
const MAX_POLICY_LENGTH = 4000;

/** Every rule id the parser takes, with its default value ('' for none), for `/admin/serverinfo`. */
export const PASSWORD_POLICY_RULES: ReadonlyArray<{ id: string; defaultValue: string }> = [
  ...Object.entries(COUNT_DEFAULTS).map(([id, value]) => ({ id, defaultValue: String(value) })),
  ...[...NO_VALUE].map((id) => ({ id, defaultValue: '' })),
  { id: 'regexPattern', defaultValue: '' },
  { id: 'passwordBlacklist', defaultValue: '' },
  { id: 'hashAlgorithm', defaultValue: 'argon2' },
  { id: 'hashIterations', defaultValue: '' },
];

const EMPTY: PasswordPolicy = { rules: [], historyLength: 0, ageDays: 0, hash: { algorithm: 'argon2' } };
const parsed = new Map<string, PasswordPolicy>();
const MAX_REMEMBERED = 256;

function count(id: string, value: string | undefined): number {
  if (value === undefined || value === '' || value === 'undefined') return COUNT_DEFAULTS[id];
  if (!/^\d{1,9}$/.test(value.trim())) throw new PasswordPolicyError(`Invalid config for ${id}: Not a valid number`, id);
  return Number(value.trim());
}

function rule(id: string, value: string | undefined, policy: PasswordPolicy): void {
  if (Object.hasOwn(COUNT_DEFAULTS, id) && !['passwordHistory', 'passwordAge', 'forceExpiredPasswordChange'].includes(id)) {
    policy.rules.push({ id: id as 'length', count: count(id, value) });
  } else if (NO_VALUE.has(id)) {
    policy.rules.push({ id: id as 'notUsername' });
  } else if (id === 'passwordHistory') {
    policy.historyLength = count(id, value);
    policy.rules.push({ id, count: policy.historyLength });
  } else if (id === 'passwordAge') {
    policy.ageDays = count(id, value);
    policy.rules.push({ id, days: policy.ageDays });
  } else if (id === 'forceExpiredPasswordChange') {
    policy.expireDays = count(id, value);
  } else if (id === 'regexPattern') {
    if (value === undefined || value === '') throw new PasswordPolicyError(`Invalid config for ${id}: a pattern is required`, id);
    try {
      // Java's `matches()`: the whole password must match.
      policy.rules.push({ id, pattern: new RegExp(`^(?:${value})$`, 'u') });
    } catch {
      throw new PasswordPolicyError(`Invalid config for ${id}: not a valid regular expression`, id);
    }
  } else if (id === 'passwordBlacklist') {
    if (value === undefined || !BLACKLIST_NAME.test(value)) throw new PasswordPolicyError(`Invalid config for ${id}: expected a file name in password-blacklists`, id);
    policy.rules.push({ id, file: value });
  } else if (id === 'hashAlgorithm') {
    if (value === undefined || !HASH_ALGORITHMS.has(value)) throw new PasswordPolicyError(`Invalid config for ${id}: expected one of ${[...HASH_ALGORITHMS].join(', ')}`, id);
    policy.hash = { ...policy.hash, algorithm: value };
  } else if (id === 'hashIterations') {
    // No value: the algorithm's own default.
    policy.hash = { ...policy.hash, iterations: value === undefined || value === '' || value === 'undefined' ? undefined : count(id, value) };
  } else {
    throw new PasswordPolicyError('Password policy not found', id);
  }
}

/** The hashing work a policy may ask for stays within what a login may cost (PASSWORD_HASH_LIMITS). */
function checkHashCost(policy: PasswordPolicy): void {
  const { algorithm, iterations } = policy.hash;
  if (iterations === undefined) return;
  const max = algorithm === 'argon2' ? PASSWORD_HASH_LIMITS.argon2MaxIterations : PASSWORD_HASH_LIMITS.pbkdf2MaxIterations;
  if (iterations < 1 || iterations > max) throw new PasswordPolicyError(`Invalid config for hashIterations: expected 1 to ${max} for ${algorithm}`, 'hashIterations');
}

/** Parses a policy string; throws PasswordPolicyError. An absent or blank policy has no rules. */
export function parsePasswordPolicy(text: string | undefined): PasswordPolicy {
  if (text === undefined || text.trim() === '') return EMPTY;
  const known = parsed.get(text);
  if (known) return known;
  if (text.length > MAX_POLICY_LENGTH) throw new PasswordPolicyError(`Invalid password policy: longer than ${MAX_POLICY_LENGTH} characters`, 'passwordPolicy');
  const policy: PasswordPolicy = { rules: [], historyLength: 0, ageDays: 0, hash: { algorithm: 'argon2' } };
  for (const part of text.split(/\s+and\s+/)) {
    const match = /^\s*([A-Za-z]+)\s*(?:\((.*)\))?\s*$/s.exec(part);
    if (!match) throw new PasswordPolicyError('Password policy not found', part.trim());
    rule(match[1], match[2], policy);
  }
  checkHashCost(policy);
  if (parsed.size >= MAX_REMEMBERED) parsed.clear();
  parsed.set(text, policy);
  return policy;
}

/**
 * User codes as Keycloak's default provider makes them: eight random upper-case letters, shown
 * as `ABCD-EFGH`; what a person types is read without dashes and in any case. 26^8 (about
 * 2 * 10^11) codes, and wrong entries are counted per client address (verify-user-code.ts), so
 * a code cannot be found by guessing within its lifetime.
 */
import { randomInt } from 'node:crypto';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LENGTH = 8;
/** Longer input is no code of ours: it is refused before any lookup. */
export const MAX_USER_CODE_INPUT = 64;

export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += LETTERS[randomInt(LETTERS.length)];
  return code;
}

export function displayUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The stored form of what was typed, or undefined when it cannot be a user code. */
export function normalizeUserCode(input: string): string | undefined {
  if (input.length > MAX_USER_CODE_INPUT) return undefined;
  const code = input.replace(/-/g, '').trim().toUpperCase();
  return /^[A-Z]{8}$/.test(code) ? code : undefined;
}

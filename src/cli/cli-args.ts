/**
 * The flags of `holdfast import` and `holdfast export` (`--file`, `--dir`, `--realm`, …), taken
 * out of the argument list before the rest (`--db`, `--data-dir`, …) goes to the server's config
 * parser, so both commands reach the store exactly as `start` would.
 */
import { ConfigError } from '../config/index.ts';

export function takeFlags(argv: string[], names: readonly string[]): { values: Map<string, string>; rest: string[] } {
  const values = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !names.includes(match[1])) {
      rest.push(arg);
      continue;
    }
    const [, name, inline] = match;
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new ConfigError(`--${name}: expected a value`);
    if (values.has(name)) throw new ConfigError(`--${name}: given more than once`);
    values.set(name, value);
  }
  return { values, rest };
}

export function oneOfFlag<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new ConfigError(`--${name}: expected ${allowed.join(' or ')}, got '${value}'`);
  return value as T;
}

/** Takes a boolean command flag (`--force`, `--force=true|false`) out of the argument list. */
export function takeSwitch(argv: string[], name: string): { on: boolean; rest: string[] } {
  let on = false;
  const rest: string[] = [];
  for (const arg of argv) {
    const match = new RegExp(`^--${name}(?:=(.*))?$`).exec(arg);
    if (!match) {
      rest.push(arg);
      continue;
    }
    on = oneOfFlag(name, match[1], ['true', 'false'], 'true') === 'true';
  }
  return { on, rest };
}

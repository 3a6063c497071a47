/**
 * Checks that untrusted JSON (admin request bodies, realm files) has the types Keycloak's
 * representations declare, and returns it typed. A failure names the JSON path at fault
 * (`users[3].credentials[0].type: expected a string`), so a 100,000-user file can be fixed
 * without guessing. Unknown fields are ignored, as Keycloak ignores them; `null` means "absent".
 */

export class ShapeError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path === '' ? reason : `${path}: ${reason}`);
  }
}

/** Validates `value` found at `path`; returns it typed, or undefined when it is absent or null. */
export type Check<T> = (value: unknown, path: string) => T | undefined;
export type Checked<C> = C extends Check<infer T> ? T : never;

export const field = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);
export const index = (path: string, i: number): string => `${path}[${i}]`;

function scalar<T>(test: (v: unknown) => v is T, expected: string): Check<T> {
  return (value, path) => {
    if (value === undefined || value === null) return undefined;
    if (!test(value)) throw new ShapeError(path, `expected ${expected}`);
    return value;
  };
}

export const string = scalar((v): v is string => typeof v === 'string', 'a string');
export const boolean = scalar((v): v is boolean => typeof v === 'boolean', 'a boolean');
export const integer = scalar((v): v is number => typeof v === 'number' && Number.isSafeInteger(v), 'an integer');

/** An integer within [min, max] (Keycloak bounds some settings; an unbounded one would break logins). */
export function integerIn(min: number, max: number): Check<number> {
  return (value, path) => {
    const checked = integer(value, path);
    if (checked !== undefined && (checked < min || checked > max)) throw new ShapeError(path, `expected an integer from ${min} to ${max}`);
    return checked;
  };
}

export function oneOf<T extends string>(...allowed: T[]): Check<T> {
  return (value, path) => {
    const text = string(value, path);
    if (text !== undefined && !(allowed as string[]).includes(text)) throw new ShapeError(path, `expected one of ${allowed.join(', ')}`);
    return text as T | undefined;
  };
}

/** A JSON array whose items must all be present and pass `item`. */
export function list<T>(item: Check<T>): Check<T[]> {
  return (value, path) => {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw new ShapeError(path, 'expected an array');
    const out: T[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const checked = item(value[i], index(path, i));
      if (checked === undefined) throw new ShapeError(index(path, i), 'must not be null');
      out[i] = checked;
    }
    return out;
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON object used as a map. Built with fromEntries, so a `__proto__` key stays a plain key. */
export function record<T>(item: Check<T>): Check<Record<string, T>> {
  return (value, path) => {
    if (value === undefined || value === null) return undefined;
    if (!isPlainObject(value)) throw new ShapeError(path, 'expected an object');
    const entries: Array<[string, T]> = [];
    for (const [key, raw] of Object.entries(value)) {
      const checked = item(raw, field(path, key));
      if (checked !== undefined) entries.push([key, checked]);
    }
    return Object.fromEntries(entries);
  };
}

type ObjectOf<S extends Record<string, Check<unknown>>> = { [K in keyof S]?: Checked<S[K]> };

/** A check of a JSON object that also says which fields it takes (so what it drops can be listed). */
export type ObjectCheck<S extends Record<string, Check<unknown>>> = Check<ObjectOf<S>> & { readonly fields: readonly string[] };

/** A JSON object with known fields; other fields are dropped. */
export function object<S extends Record<string, Check<unknown>>>(fields: S): ObjectCheck<S> {
  const names = Object.keys(fields);
  const check: Check<ObjectOf<S>> = (value, path) => {
    if (value === undefined || value === null) return undefined;
    if (!isPlainObject(value)) throw new ShapeError(path, 'expected an object');
    const out: Record<string, unknown> = {};
    for (const name of names) {
      if (!Object.hasOwn(value, name)) continue;
      const checked = fields[name](value[name], field(path, name));
      if (checked !== undefined) out[name] = checked;
    }
    return out as ObjectOf<S>;
  };
  return Object.assign(check, { fields: names });
}

/** Runs a check on a whole document: absent or null is itself an error there. */
export function parseShape<T>(check: Check<T>, value: unknown, what = 'body'): T {
  const checked = check(value, '');
  if (checked === undefined) throw new ShapeError('', `${what} must not be empty`);
  return checked;
}

export const stringList = list(string);
export const stringMap = record(string);
/** Keycloak's multivalued attributes: `{name: [values]}`; a bare string is taken as one value. */
export const multiValuedMap: Check<Record<string, string[]>> = record((value, path) => {
  if (typeof value === 'string') return [value];
  return stringList(value, path);
});

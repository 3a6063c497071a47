/**
 * Where a mapper puts its value, as Keycloak's OIDCAttributeMapperHelper does: `claim.name` is a
 * path of objects split at unescaped dots (`address.street`; `\.` is a literal dot, as in
 * `https://example\.com/roles`), and `jsonType.label` converts the value (String, long, int,
 * boolean, JSON). A multivalued claim is an array, merged with what is already at that path (so
 * two role mappers writing one claim add up). A value that does not convert is left out, as a
 * claim of the wrong type would break the relying party reading it.
 */
import type { JwtClaims } from '../../crypto/index.ts';

/** `a.b\.c` → `['a', 'b.c']`. Parsed once, when a mapper is compiled. */
export function splitClaimPath(name: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '\\' && name[i + 1] === '.') {
      current += '.';
      i++;
    } else if (c === '.') {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts.filter((p) => p !== '');
}

export type JsonType = 'String' | 'long' | 'int' | 'boolean' | 'JSON' | undefined;

export function jsonTypeOf(label: string | undefined): JsonType {
  return label === 'String' || label === 'long' || label === 'int' || label === 'boolean' || label === 'JSON' ? label : undefined;
}

function convert(value: unknown, type: JsonType): unknown {
  switch (type) {
    case 'String':
      return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'long':
    case 'int': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
      return Number.isSafeInteger(n) ? n : undefined;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
      return undefined;
    case 'JSON':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return undefined;
      }
    default:
      return value;
  }
}

/** Converts and sets a claim; `values` is what the mapper found (none: nothing is written). */
export function setClaim(claims: JwtClaims, path: string[], values: readonly unknown[], type: JsonType, multivalued: boolean): void {
  if (path.length === 0 || values.length === 0) return;
  let value: unknown;
  if (multivalued) {
    const converted: unknown[] = [];
    for (const v of values) {
      const c = convert(v, type);
      if (c !== undefined) converted.push(c);
    }
    if (converted.length === 0) return;
    value = converted;
  } else {
    value = convert(values[0], type);
    if (value === undefined) return;
  }
  let target = claims as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const next = own(target, path[i]);
    if (next === undefined) {
      const created: Record<string, unknown> = {};
      put(target, path[i], created);
      target = created;
    } else if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      target = next as Record<string, unknown>;
    } else {
      return;
    }
  }
  const last = path[path.length - 1];
  const existing = own(target, last);
  if (multivalued && Array.isArray(existing)) {
    for (const v of value as unknown[]) if (!existing.includes(v)) existing.push(v);
  } else {
    put(target, last, value);
  }
}

// A claim named `__proto__` is an ordinary claim: read and written as own properties only.
const own = (target: Record<string, unknown>, key: string): unknown => (Object.hasOwn(target, key) ? target[key] : undefined);
const put = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
};

/**
 * Client scopes. A client gets its default scopes always and its optional scopes when asked;
 * asking for anything else is `invalid_scope`, as in Keycloak. Some scopes produce claims but
 * are not listed in the token's `scope` claim (Keycloak's "include in token scope" off).
 */
import type { Client } from '../../realm/types.ts';
import { invalidScope } from '../../errors/index.ts';

/** Scopes that add claims without appearing in the `scope` string. */
const HIDDEN_SCOPES = new Set(['web-origins', 'acr', 'roles', 'basic', 'service_account']);

export interface GrantedScopes {
  /** Every scope in force, including hidden ones: decides which claims tokens carry. */
  names: Set<string>;
  /** The `scope` claim and response field. */
  value: string;
}

/** Resolves the scopes a request gets. Throws `invalid_scope` for scopes the client may not have. */
export function grantScopes(client: Client, requested: string | undefined): GrantedScopes {
  const asked = (requested ?? '').split(' ').filter((s) => s !== '');
  const invalid = asked.filter((s) => s !== 'openid' && !client.defaultClientScopes.includes(s) && !client.optionalClientScopes.includes(s));
  if (invalid.length > 0) throw invalidScope(`Invalid scopes: ${requested}`);
  const names = new Set<string>();
  if (asked.includes('openid')) names.add('openid');
  for (const s of client.defaultClientScopes) names.add(s);
  for (const s of asked) if (client.optionalClientScopes.includes(s)) names.add(s);
  return { names, value: scopeString(names) };
}

export function scopeString(names: Iterable<string>): string {
  return [...names].filter((s) => !HIDDEN_SCOPES.has(s)).join(' ');
}

/** Narrows an earlier grant to what a refresh asks for: scopes not granted before are dropped. */
export function narrowScopes(granted: string, requested: string | undefined, client: Client): GrantedScopes {
  const before = new Set(granted.split(' ').filter((s) => s !== ''));
  const names = new Set<string>();
  for (const s of client.defaultClientScopes) names.add(s);
  if (before.has('openid')) names.add('openid');
  for (const s of before) if (client.optionalClientScopes.includes(s)) names.add(s);
  if (requested !== undefined && requested.trim() !== '') {
    const asked = new Set(requested.split(' '));
    for (const s of [...names]) if (!HIDDEN_SCOPES.has(s) && !asked.has(s) && !client.defaultClientScopes.includes(s)) names.delete(s);
  }
  return { names, value: scopeString(names) };
}

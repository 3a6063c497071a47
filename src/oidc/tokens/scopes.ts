/**
 * The `scope` parameter as Keycloak reads it (TokenManager.getRequestedClientScopes, isValidScope):
 * a client gets its default scopes always and its optional scopes when asked; asking for anything
 * else is `invalid_scope`. `openid` is no client scope but is kept, first, when asked. The `scope`
 * string lists the granted scopes whose `include.in.token.scope` is not false (Keycloak's
 * buildScopeString). The client's grant comes resolved from the realm cache.
 */
import { includedInTokenScope, type ClientScopeGrant } from '../../realm/index.ts';
import { invalidScope } from '../../errors/index.ts';

const OPENID = 'openid';

export interface GrantedScopes {
  /** Every scope in force, including those left out of `scope`: decides which claims tokens carry. */
  names: Set<string>;
  /** The `scope` claim and response field. */
  value: string;
  /** What of the request mattered (`openid` and the optional scopes granted), to grant again later. */
  requested: string;
}

const parse = (scope: string | undefined): string[] => (scope ?? '').split(' ').filter((s) => s !== '');

function granted(grant: ClientScopeGrant, openid: boolean, optional: Iterable<string>): GrantedScopes {
  const names = new Set<string>();
  const listed: string[] = [];
  const requested: string[] = [];
  if (openid) {
    names.add(OPENID);
    listed.push(OPENID);
    requested.push(OPENID);
  }
  const add = (name: string, listedInScope: boolean) => {
    if (names.has(name)) return;
    names.add(name);
    if (listedInScope) listed.push(name);
  };
  for (const scope of grant.defaults) add(scope.name, includedInTokenScope(scope));
  for (const name of optional) {
    const scope = grant.optional.get(name);
    if (!scope || names.has(name)) continue;
    add(name, includedInTokenScope(scope));
    requested.push(name);
  }
  return { names, value: listed.join(' '), requested: requested.join(' ') };
}

/** Resolves the scopes a request gets. Throws `invalid_scope` for scopes the client may not have. */
export function grantScopes(grant: ClientScopeGrant, requested: string | undefined): GrantedScopes {
  const asked = parse(requested);
  const defaults = new Set(grant.defaults.map((s) => s.name));
  if (asked.some((s) => s !== OPENID && !defaults.has(s) && !grant.optional.has(s))) throw invalidScope(`Invalid scopes: ${requested}`);
  return granted(grant, asked.includes(OPENID), asked);
}

/**
 * Narrows an earlier grant to what a refresh asks for: the client's defaults stay, `openid` and
 * optional scopes stay if granted before and (when the refresh names scopes) asked for again.
 */
export function narrowScopes(grant: ClientScopeGrant, before: string, requested: string | undefined): GrantedScopes {
  const earlier = parse(before);
  const asked = requested !== undefined && requested.trim() !== '' ? new Set(parse(requested)) : undefined;
  const kept = earlier.filter((s) => asked === undefined || asked.has(s));
  return granted(grant, kept.includes(OPENID), kept);
}

/**
 * The query of `GET /users` and `/users/count` read as Keycloak reads it, into a store query, a
 * lookup by id (`search=id:…`), or users linked to an identity provider (`idpAlias`, `idpUserId`). What
 * Keycloak would silently ignore (unknown names, filters it does not combine) is refused here.
 */
import type { FastifyRequest } from 'fastify';
import { adminBadRequest } from '../errors/index.ts';
import { MAX_ATTRIBUTE_NAME, type UserQuery } from '../realm/index.ts';
import { attributeQuery, paging, queryBoolean, queryString, refuseUnknownQuery } from './admin-request.ts';

const DEFAULT_MAX = 100;
const SEARCH_BY_ID = 'id:';
const FIELD_FILTERS = ['username', 'email', 'firstName', 'lastName'] as const;
const COUNT_PARAMETERS = ['search', ...FIELD_FILTERS, 'exact', 'emailVerified', 'enabled', 'idpAlias', 'idpUserId', 'q'] as const;
const LIST_PARAMETERS = [...COUNT_PARAMETERS, 'briefRepresentation', 'first', 'max'] as const;

/** What `/users` and `/users/count` were asked for: a query for the store, or one user by id. */
export type UserSearch = { kind: 'query'; query: UserQuery } | { kind: 'id'; id: string };

/**
 * Keycloak's `search`: `*` alone is everyone, `"…"` a whole value, otherwise space-separated
 * terms that must all match (each a prefix, `*` a wildcard inside it).
 */
function searchTerms(search: string): NonNullable<UserQuery['search']> {
  const trimmed = search.trim();
  const quoted = (text: string) => text.length >= 2 && text.startsWith('"') && text.endsWith('"');
  if (quoted(trimmed)) return [{ exact: true, text: trimmed.slice(1, -1) }];
  return trimmed
    .split(/\s+/)
    .filter((term) => term !== '' && term !== '*')
    .map((term) => (quoted(term) ? { exact: true, text: term.slice(1, -1) } : { exact: false, text: term }));
}

/**
 * The filters of a `/users` request. Keycloak ignores filters it does not combine (a `search`
 * with `username`, `exact` with no field filter, unknown names): those are refused here, so a
 * script never acts on more users than it asked for.
 */
export function userSearch(request: FastifyRequest, endpoint: 'list' | 'count'): UserSearch {
  refuseUnknownQuery(request, endpoint === 'list' ? LIST_PARAMETERS : COUNT_PARAMETERS);
  const given = (name: string) => queryString(request, name) !== undefined;
  const enabled = queryBoolean(request, 'enabled');
  const exact = queryBoolean(request, 'exact');
  const page = endpoint === 'list' ? paging(request, DEFAULT_MAX) : {};
  const search = queryString(request, 'search');
  if (search !== undefined) {
    // `exact=false` is the default and changes nothing, so a client sending it along is fine.
    const ignored = COUNT_PARAMETERS.find((name) => name !== 'search' && name !== 'enabled' && given(name) && !(name === 'exact' && exact === false));
    if (ignored) throw adminBadRequest(`${ignored}: cannot be combined with search`, ignored);
    if (search.trim().startsWith(SEARCH_BY_ID)) {
      if (enabled !== undefined) throw adminBadRequest('enabled: cannot be combined with search by id', 'enabled');
      return { kind: 'id', id: search.trim().slice(SEARCH_BY_ID.length).trim() };
    }
    return { kind: 'query', query: { search: searchTerms(search), enabled, ...page } };
  }
  // `q` always matches whole values, so `exact` may come with it.
  if (exact === true && !FIELD_FILTERS.some(given) && !given('q')) throw adminBadRequest('exact: applies to username, email, firstName, lastName or q, and none was given', 'exact');
  const q = queryString(request, 'q');
  const attributes = q === undefined ? undefined : attributeQuery(q);
  const longName = attributes?.find(([name]) => name.length > MAX_ATTRIBUTE_NAME);
  if (longName) throw adminBadRequest(`q: attribute names are at most ${MAX_ATTRIBUTE_NAME} characters`, 'q');
  return {
    kind: 'query',
    query: {
      username: queryString(request, 'username'),
      email: queryString(request, 'email'),
      firstName: queryString(request, 'firstName'),
      lastName: queryString(request, 'lastName'),
      exact,
      enabled,
      emailVerified: queryBoolean(request, 'emailVerified'),
      attributes,
      federatedIdentity: given('idpAlias') || given('idpUserId') ? { alias: queryString(request, 'idpAlias'), federatedUserId: queryString(request, 'idpUserId') } : undefined,
      ...page,
    },
  };
}

/**
 * What every admin endpoint does first: find the `{realm}` of the path (404 `Realm not found.`),
 * check the caller may reach it and holds the permission (403), then read its query and body
 * through checks that answer Keycloak's 400 bodies. JSON bodies are parsed here too, so that
 * malformed JSON gets Keycloak's `Cannot parse the JSON` rather than the OAuth error shape.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { AdminError, adminBadRequest, adminNotFound } from '../errors/index.ts';
import { baseUrl } from '../http/base-url.ts';
import type { LoadedRealm } from '../realm/index.ts';
import { forbidden, mayReach, requirePermission, type AdminIdentity, type Permission } from './admin-auth.ts';
import { parseShape, ShapeError, type Check } from './json-shape.ts';

export interface AdminScope {
  identity: AdminIdentity;
  realm: LoadedRealm;
}

export async function adminScope(ctx: Context, request: FastifyRequest, permission?: Permission): Promise<AdminScope> {
  const identity = request.adminIdentity!;
  const name = (request.params as { realm?: string }).realm ?? '';
  const realm = name === '' ? undefined : await ctx.realms.getRealm(name);
  if (!realm) throw adminNotFound('Realm not found.');
  if (!mayReach(identity, realm)) throw forbidden();
  if (permission) requirePermission(identity, realm, permission);
  return { identity, realm };
}

/** A shape failure as Keycloak's validation error body, naming the field. */
export function shapeToAdminError(error: ShapeError): AdminError {
  return adminBadRequest(error.message, error.path === '' ? undefined : error.path);
}

export function readBody<T>(request: FastifyRequest, check: Check<T>): T {
  try {
    return parseShape(check, request.body);
  } catch (error) {
    if (error instanceof ShapeError) throw shapeToAdminError(error);
    throw error;
  }
}

function queryValue(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown>)[name];
  if (Array.isArray(value)) throw adminBadRequest(`${name}: given more than once`, name);
  return typeof value === 'string' ? value : undefined;
}

export function queryString(request: FastifyRequest, name: string): string | undefined {
  const value = queryValue(request, name);
  return value === '' ? undefined : value;
}

export function queryInteger(request: FastifyRequest, name: string, fallback: number): number {
  const value = queryString(request, name);
  if (value === undefined) return fallback;
  if (!/^-?\d{1,9}$/.test(value)) throw adminBadRequest(`${name}: expected an integer`, name);
  return Number(value);
}

export function queryBoolean(request: FastifyRequest, name: string): boolean | undefined {
  const value = queryString(request, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw adminBadRequest(`${name}: expected true or false`, name);
  return value === 'true';
}

const QUERY_PAIR = /^(?:"([^"]*)"|([^\s:"]+)):(?:"([^"]*)"|([^\s"]*))(?:\s+|$)/;

/** `q=key:value key2:"two words"`: attributes a group or user must all have, with those values. */
export function attributeQuery(q: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let rest = q.trim();
  while (rest !== '') {
    const match = QUERY_PAIR.exec(rest);
    if (!match) throw adminBadRequest('q: expected key:value pairs separated by spaces', 'q');
    pairs.push([match[1] ?? match[2], match[3] ?? match[4]]);
    rest = rest.slice(match[0].length);
  }
  return pairs;
}

/** Refuses query parameters the endpoint does not know: Keycloak ignores them, so a typo would widen a search. */
export function refuseUnknownQuery(request: FastifyRequest, known: readonly string[]): void {
  const unknown = Object.keys(request.query as Record<string, unknown>).find((name) => !known.includes(name));
  if (unknown !== undefined) throw adminBadRequest(`${unknown}: unknown query parameter (accepted: ${known.join(', ')})`, unknown);
}

/** Keycloak's paging: `first` from 0, `max` defaulting per endpoint; negative values mean the default. */
export function paging(request: FastifyRequest, defaultMax: number): { first: number; max: number } {
  const first = queryInteger(request, 'first', 0);
  const max = queryInteger(request, 'max', defaultMax);
  return { first: first < 0 ? 0 : first, max: max < 0 ? defaultMax : max };
}

/** The `Location` of a created resource, whose last segment admin clients read as its id. */
export function location(ctx: Context, request: FastifyRequest, ...segments: string[]): string {
  return `${baseUrl(request, ctx.config)}/admin/realms/${segments.map(encodeURIComponent).join('/')}`;
}

/**
 * A collection's path with and without the trailing slash: the admin client asks for
 * `/admin/realms/{realm}/users/`, and JAX-RS treats both alike.
 */
export function collectionPaths(path: string): [string, string] {
  return [path, `${path}/`];
}

export const CANNOT_PARSE_JSON = 'Cannot parse the JSON';

/** Keycloak's admin body for malformed JSON; the account API answers without `errorMessage`. */
const ADMIN_PARSE_ERROR = { error: 'invalid_request', error_description: CANNOT_PARSE_JSON, errorMessage: CANNOT_PARSE_JSON };

export function registerAdminJsonParser(app: FastifyInstance, parseError: Record<string, unknown> = ADMIN_PARSE_ERROR): void {
  // Only inside the plugin that registers it: other routes keep the app's parser and error shape.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new AdminError(400, parseError), undefined);
    }
  });
}

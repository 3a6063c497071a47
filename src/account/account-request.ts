/**
 * What every account endpoint reads from its request: the authenticated caller (set by the
 * plugin's hook), its paths with and without the trailing slash (JAX-RS serves both), and query
 * flags checked at the edge. Bad input answers 400 with Keycloak's `errorMessage` body.
 */
import type { FastifyRequest } from 'fastify';
import { AdminError } from '../errors/index.ts';
import type { AccountCaller } from './account-auth.ts';

declare module 'fastify' {
  interface FastifyRequest {
    accountCaller: AccountCaller | null;
  }
}

export const ACCOUNT_PATH = '/realms/:realm/account';

export function accountCaller(request: FastifyRequest): AccountCaller {
  return request.accountCaller!;
}

/** `suffix` under the account root, with and without a trailing slash. */
export function accountPaths(suffix: string): [string, string] {
  return [`${ACCOUNT_PATH}${suffix}`, `${ACCOUNT_PATH}${suffix}/`];
}

export const badRequest = (message: string) => new AdminError(400, { errorMessage: message });

/** A boolean query parameter: `true`/`false` (any case, as JAX-RS reads them), absent: undefined. */
export function queryFlag(request: FastifyRequest, name: string): boolean | undefined {
  const value = (request.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^(true|false)$/i.test(value)) throw badRequest(`${name}: expected true or false`);
  return value.toLowerCase() === 'true';
}

/** A string query parameter given at most once, bounded. */
export function queryText(request: FastifyRequest, name: string, maxLength = 255): string | undefined {
  const value = (request.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`${name}: given more than once`);
  if (value.length > maxLength) throw badRequest(`${name}: at most ${maxLength} characters`);
  return value;
}

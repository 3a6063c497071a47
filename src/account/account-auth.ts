/**
 * Who is calling the account API and what they may do, decided as Keycloak's AccountLoader and
 * Auth decide it: the realm's `account` client must exist and be enabled (404); the caller sends
 * a bearer access token that is valid now (signature, expiry, revocation, live session, enabled
 * user) or gets 401; the token must name `account` in its audience — judged on its claims as
 * introspection recomputes them when the token itself carries no audience or no `account` roles
 * (lightweight tokens); service accounts are refused. Permissions are the `account` client roles
 * in the token (`manage-account`, `view-profile`, …), and a missing one is 403. CORS is judged
 * against the token's `allowed-origins` as soon as the audience is accepted, so that the errors
 * after it (403, 400) reach the calling page too. Every refusal before that is a bare 401.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { AdminError } from '../errors/index.ts';
import { baseUrl } from '../http/base-url.ts';
import { resolveRealm } from '../http/realm-route.ts';
import type { Client, LoadedRealm, UserView } from '../realm/index.ts';
import type { UserSession } from '../session/index.ts';
import { checkAccessToken, introspectedClaims, type AccessTokenClaims } from '../oidc/tokens/index.ts';

/** Keycloak's `Constants.ACCOUNT_MANAGEMENT_CLIENT_ID`. */
export const ACCOUNT_CLIENT = 'account';

/** Keycloak's AccountRoles. */
export type AccountRole =
  | 'manage-account'
  | 'view-profile'
  | 'manage-account-links'
  | 'view-applications'
  | 'view-consent'
  | 'manage-consent'
  | 'delete-account'
  | 'view-groups';

export interface AccountCaller {
  realm: LoadedRealm;
  issuer: string;
  /** The realm's `account` client. */
  accountClient: Client;
  user: UserView;
  /** The session the token belongs to; undefined for tokens of transient sessions. */
  session?: UserSession;
  claims: AccessTokenClaims;
  /** The `account` client roles of the token (as recomputed for lightweight tokens). */
  roles: ReadonlySet<string>;
}

/** JAX-RS's bodies for its 401/403/404 exceptions, as Keycloak's error handler writes them (no challenge header). */
const unauthorized = () => new AdminError(401, { error: 'HTTP 401 Unauthorized' });
export const forbidden = () => new AdminError(403, { error: 'HTTP 403 Forbidden' });
export const notFound = (message = 'HTTP 404 Not Found') => new AdminError(404, { error: message });

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header || !/^bearer /i.test(header)) return undefined;
  const token = header.slice(7).trim();
  return token === '' ? undefined : token;
}

function hasAudience(claims: Record<string, unknown>, audience: string): boolean {
  const aud = claims.aud;
  return aud === audience || (Array.isArray(aud) && aud.includes(audience));
}

function accountRolesOf(claims: Record<string, unknown>): string[] | undefined {
  const access = claims.resource_access as Record<string, { roles?: unknown }> | undefined;
  const roles = access && typeof access === 'object' ? access[ACCOUNT_CLIENT]?.roles : undefined;
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : undefined;
}

function allowedOriginsOf(claims: Record<string, unknown>): string[] {
  const origins = claims['allowed-origins'];
  return Array.isArray(origins) ? origins.filter((o): o is string => typeof o === 'string') : [];
}

/**
 * Keycloak's CORS for the token: a request from the server's own origin gets no CORS headers, one
 * from an origin in the token's `allowed-origins` (or `*`) gets them, any other is refused with
 * 403 `Invalid origin`, before the endpoint runs.
 */
function corsForToken(ctx: Context, request: FastifyRequest, reply: FastifyReply, allowedOrigins: string[]): void {
  const origin = request.headers.origin;
  // The base URL may carry a path (`--hostname https://h/auth`): its origin is what a browser sends.
  if (origin === undefined || origin === new URL(baseUrl(request, ctx.config)).origin) return;
  if (!allowedOrigins.includes(origin) && !allowedOrigins.includes('*')) throw new AdminError(403, { error: 'Invalid origin' });
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-allow-credentials', 'true');
}

/** The realm's account client, or Keycloak's 404 when account management is off. */
export function accountClientOf(realm: LoadedRealm): Client {
  const client = realm.clientsByClientId.get(ACCOUNT_CLIENT);
  if (!client || !client.enabled) throw notFound('account management not enabled');
  return client;
}

export async function authenticateAccountCaller(ctx: Context, request: FastifyRequest, reply: FastifyReply): Promise<AccountCaller> {
  const { realm, issuer } = await resolveRealm(ctx, request);
  const accountClient = accountClientOf(realm);
  const token = bearerToken(request);
  if (token === undefined || token.length > MAX_TOKEN_LENGTH) throw unauthorized();
  const check = await checkAccessToken(ctx, realm, issuer, token);
  if (!check.valid) throw unauthorized();

  let claims: Record<string, unknown> = check.claims;
  if (claims.aud === undefined || accountRolesOf(claims) === undefined) claims = introspectedClaims(realm, check);
  if (!hasAudience(claims, ACCOUNT_CLIENT)) throw unauthorized();
  corsForToken(ctx, request, reply, allowedOriginsOf(claims));
  if (check.user.user.serviceAccountClientId !== undefined) throw unauthorized();
  return { realm, issuer, accountClient, user: check.user, session: check.session, claims: check.claims, roles: new Set(accountRolesOf(claims) ?? []) };
}

/** A bound well above any real token: longer headers are refused before any signature work. */
const MAX_TOKEN_LENGTH = 16 * 1024;

/** Keycloak's `auth.requireOneOf(...)` (and `auth.require` with one role): 403 without any of them. */
export function requireOneOf(caller: AccountCaller, ...roles: AccountRole[]): void {
  if (!roles.some((role) => caller.roles.has(role))) throw forbidden();
}

/**
 * Who is calling the admin API and what they may do. A caller presents an access token from
 * realm `master` or from the realm they manage; it is checked like any access token (signature,
 * issuer, expiry, revocation, live session, enabled user). Permissions are Keycloak's
 * realm-management client roles, held directly, through composites or through groups
 * (`manage-users` implies `view-users`, and so on); the realm role
 * `admin` of master manages every realm. 401 and 403 carry Keycloak's bodies.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { unverifiedClaims } from '../crypto/index.ts';
import { AdminError } from '../errors/index.ts';
import { baseUrl } from '../http/base-url.ts';
import { checkAccessToken } from '../oidc/tokens/index.ts';
import type { LoadedRealm, UserView } from '../realm/index.ts';

export interface AdminIdentity {
  /** The realm that issued the caller's token. */
  realm: LoadedRealm;
  user: UserView;
  /** The client the token was issued to (`azp`). */
  azp: string;
  /** The session the token belongs to (`sid`), when it has one. */
  sessionId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    adminIdentity: AdminIdentity | null;
  }
}

export type Permission =
  | 'view-realm'
  | 'manage-realm'
  | 'query-users'
  | 'view-users'
  | 'manage-users'
  | 'query-groups'
  | 'query-clients'
  | 'view-clients'
  | 'manage-clients'
  | 'view-events'
  | 'manage-events'
  | 'view-identity-providers'
  | 'manage-identity-providers'
  | 'impersonation';

/** The realm-management roles that grant each permission (a manager may also view, and so on). */
const GRANTED_BY: Record<Permission, string[]> = {
  'view-realm': ['view-realm', 'manage-realm'],
  'manage-realm': ['manage-realm'],
  'query-users': ['query-users', 'view-users', 'manage-users'],
  'view-users': ['view-users', 'manage-users'],
  'manage-users': ['manage-users'],
  // Listing groups; reading and changing one is view-users / manage-users, as in Keycloak.
  'query-groups': ['query-groups', 'view-users', 'manage-users'],
  'query-clients': ['query-clients', 'view-clients', 'manage-clients'],
  'view-clients': ['view-clients', 'manage-clients'],
  'manage-clients': ['manage-clients'],
  'view-events': ['view-events', 'manage-events'],
  'manage-events': ['manage-events'],
  'view-identity-providers': ['view-identity-providers', 'manage-identity-providers'],
  'manage-identity-providers': ['manage-identity-providers'],
  impersonation: ['impersonation'],
};

const MASTER = 'master';
/** The client whose roles are the realm's admin roles. */
export const MANAGEMENT_CLIENT = 'realm-management';

export const unauthorized = () => new AdminError(401, { error: 'HTTP 401 Unauthorized' });
export const forbidden = () => new AdminError(403, { error: 'HTTP 403 Forbidden' });

function unverifiedIssuer(token: string): string | undefined {
  const iss = unverifiedClaims(token)?.iss;
  return typeof iss === 'string' ? iss : undefined;
}

/** Checks the bearer token; throws 401 unless it is a valid token of an existing, enabled realm. */
export async function authenticateAdmin(ctx: Context, request: FastifyRequest, reply: FastifyReply): Promise<AdminIdentity> {
  const header = request.headers.authorization;
  const token = header && /^bearer /i.test(header) ? header.slice(7).trim() : '';
  // The realm is read from the unverified issuer only to pick the keys that then verify it.
  const issuer = token === '' ? undefined : unverifiedIssuer(token);
  const prefix = `${baseUrl(request, ctx.config)}/realms/`;
  let realm: LoadedRealm | undefined;
  if (issuer?.startsWith(prefix)) {
    let name = '';
    try {
      name = decodeURIComponent(issuer.slice(prefix.length));
    } catch {
      name = '';
    }
    realm = name === '' || name.includes('/') ? undefined : await ctx.realms.getRealm(name);
  }
  const check = realm && realm.realm.settings.enabled ? await checkAccessToken(ctx, realm, issuer!, token) : undefined;
  if (!realm || !check?.valid) {
    reply.header('www-authenticate', 'Bearer');
    throw unauthorized();
  }
  const sid = check.claims.sid;
  return { realm, user: check.user, azp: check.claims.azp, ...(typeof sid === 'string' ? { sessionId: sid } : {}) };
}

/** The realm-management roles the caller holds, directly or through composites and groups. */
export function managementRoles(identity: AdminIdentity): string[] {
  return identity.user.roles.clientRoles[MANAGEMENT_CLIENT] ?? [];
}

export function isMasterAdmin(identity: AdminIdentity): boolean {
  return identity.realm.realm.name === MASTER && identity.user.roles.realmRoles.includes('admin');
}

/** Keycloak lets a token act only on its own realm, or on any realm when it comes from master. */
export function mayReach(identity: AdminIdentity, target: LoadedRealm): boolean {
  return identity.realm.realm.name === MASTER || identity.realm.realm.id === target.realm.id;
}

export function isAllowed(identity: AdminIdentity, target: LoadedRealm, permission: Permission): boolean {
  if (isMasterAdmin(identity)) return true;
  if (identity.realm.realm.id !== target.realm.id) return false;
  const roles = managementRoles(identity);
  return GRANTED_BY[permission].some((role) => roles.includes(role));
}

/** Any realm-management role at all: enough to see the realm's name and list its roles. */
export function hasAnyAdminRole(identity: AdminIdentity, target: LoadedRealm): boolean {
  return isMasterAdmin(identity) || (identity.realm.realm.id === target.realm.id && managementRoles(identity).length > 0);
}

export function requirePermission(identity: AdminIdentity, target: LoadedRealm, permission: Permission): void {
  if (!isAllowed(identity, target, permission)) throw forbidden();
}

export function canCreateRealm(identity: AdminIdentity): boolean {
  return isMasterAdmin(identity) || (identity.realm.realm.name === MASTER && identity.user.roles.realmRoles.includes('create-realm'));
}

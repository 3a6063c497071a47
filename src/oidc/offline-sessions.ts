/**
 * Offline sessions: asked for with scope `offline_access`, allowed only to users with the
 * `offline_access` role (within the client's scope). An offline session has the same id as the login that created it (as in
 * Keycloak) but its own row, lifetimes and client sessions, so logging out online leaves it be.
 */
import type { Context } from '../context.ts';
import { notAllowed } from '../errors/index.ts';
import { claimPlanOf, type LoadedRealm, type UserView } from '../realm/realm-service.ts';
import type { Client } from '../realm/types.ts';
import type { ClientSession, UserSession } from '../session/types.ts';
import type { GrantedScopes } from './tokens/index.ts';

export function wantsOffline(scopes: GrantedScopes): boolean {
  return scopes.names.has('offline_access');
}

/** The user must hold `offline_access`, and the client carry it: in its scope when it lacks full scope (Keycloak's offline_access scope mapping). */
export function assertOfflineAllowed(realm: LoadedRealm, client: Client, scopes: GrantedScopes, user: UserView): void {
  const roles = claimPlanOf(realm, client, scopes.names).tokenRoles(user.roles);
  if (!roles.realmRoles.includes('offline_access')) throw notAllowed('Offline tokens not allowed for the user or client');
}

/** The offline twin of an online session, created on first use, with this client attached. */
export async function offlineSessionFor(
  ctx: Context,
  realm: LoadedRealm,
  online: Pick<UserSession, 'id' | 'userId' | 'ipAddress' | 'authTime' | 'notes'>,
  client: Client,
  scope: string,
  redirectUri?: string,
): Promise<{ session: UserSession; clientSession: ClientSession }> {
  const settings = realm.realm.settings;
  const session =
    (await ctx.sessions.findValid(settings, online.id, true)) ??
    (await ctx.sessions.create(settings, {
      id: online.id,
      offline: true,
      realmId: realm.realm.id,
      userId: online.userId,
      rememberMe: false,
      ipAddress: online.ipAddress,
      authTime: online.authTime,
      // A brokered login's notes stay with its offline session, as Keycloak copies them.
      notes: online.notes,
    }));
  const clientSession = await ctx.sessions.attachClient(settings, session, client, scope, redirectUri);
  if (!clientSession) throw new Error('offline session vanished while attaching a client');
  return { session, clientSession };
}

/**
 * The session a code's tokens go with (authorization code, device code): the offline twin when
 * `offline_access` was granted (and is allowed), else the login's own, touched.
 */
export async function sessionForCode(
  ctx: Context,
  realm: LoadedRealm,
  client: Client,
  user: UserView,
  scopes: GrantedScopes,
  online: { session: UserSession; clientSession: ClientSession },
  redirectUri?: string,
): Promise<{ session: UserSession; clientSession: ClientSession }> {
  if (!wantsOffline(scopes)) {
    ctx.sessions.touch(realm.realm.settings, online.session, online.clientSession);
    return online;
  }
  assertOfflineAllowed(realm, client, scopes, user);
  return offlineSessionFor(ctx, realm, online.session, client, scopes.value, redirectUri);
}

/**
 * Everything that must hold for a refresh token to be honoured, in Keycloak's order and with its
 * error strings (keycloak-compat.md §2.5): signature, type, issuer, expiry, not-before, client,
 * session, user, client session. Used by the refresh grant and refresh-token logout, which also
 * have a DPoP-bound refresh token's key checked against the request's proof (`options.dpop`).
 */
import type { Context } from '../../context.ts';
import { invalidGrant } from '../../errors/index.ts';
import type { LoadedRealm, UserView } from '../../realm/realm-service.ts';
import type { Client } from '../../realm/types.ts';
import { isClientSessionValid, isUserSessionValid } from '../../session/lifetimes.ts';
import type { ClientSession, UserSession } from '../../session/types.ts';
import { decodeRefreshToken, type RefreshTokenClaims } from './verify-token.ts';
import { checkRefreshBinding, type DPoPProof } from '../dpop/index.ts';

export interface ValidRefresh {
  claims: RefreshTokenClaims;
  session: UserSession;
  clientSession: ClientSession;
  user: UserView;
}

export async function validateRefreshToken(
  ctx: Context,
  realm: LoadedRealm,
  issuer: string,
  client: Client,
  token: string,
  options: { checkExpiry: boolean; dpop?: { proof: DPoPProof | undefined } },
): Promise<ValidRefresh> {
  const claims = await decodeRefreshToken(realm, token);
  if (!claims) throw invalidGrant('Invalid refresh token');
  const now = ctx.sessions.now();
  if (claims.iss !== issuer) throw invalidGrant(`Invalid token issuer. Expected '${issuer}'`);
  if (options.checkExpiry && claims.exp !== undefined && now > claims.exp) throw invalidGrant('Token is not active');
  const settings = realm.realm.settings;
  if (claims.iat < settings.notBefore || claims.iat < client.notBefore) throw invalidGrant('Stale token');
  if (claims.azp !== client.clientId) throw invalidGrant("Invalid refresh token. Token client and authorized client don't match");
  if (options.dpop) checkRefreshBinding(claims.cnf?.jkt, options.dpop.proof);

  const offline = claims.typ === 'Offline';
  let session = await ctx.store.getUserSession(claims.sid, offline);
  if (!session || session.realmId !== realm.realm.id) throw invalidGrant(offline ? 'Offline user session not found' : 'Session not active');
  if (!isUserSessionValid(settings, session, now)) {
    // A cached copy can lag behind another node's refreshes: the store decides.
    const fresh = await ctx.sessions.findValid(settings, session.id, session.offline);
    if (!fresh) {
      await ctx.sessions.end(session);
      throw invalidGrant(offline ? 'Offline session not active' : 'Session not active');
    }
    session = fresh;
  }
  const user = await ctx.realms.getUserView(realm, session.userId);
  if (!user || user.user.id !== claims.sub) throw invalidGrant('Invalid refresh token');
  if (!user.user.enabled) throw invalidGrant('User disabled');
  if (claims.iat < user.user.notBefore) throw invalidGrant('Stale token');
  if (claims.iat < session.started) throw invalidGrant('Refresh token issued before the user session started');
  let clientSession = session.clientSessions.get(client.id);
  if (!clientSession || !isClientSessionValid(settings, client, session, clientSession, now)) {
    // Another node may have added or slid this client session since this node cached the session.
    session = (await ctx.sessions.reload(session)) ?? session;
    clientSession = session.clientSessions.get(client.id);
  }
  if (!clientSession) throw invalidGrant("Session doesn't have required client");
  if (claims.iat < clientSession.started) throw invalidGrant('refresh token issued before the client session started');
  if (!isClientSessionValid(settings, client, session, clientSession, now)) throw invalidGrant("Session doesn't have required client");
  return { claims, session, clientSession, user };
}

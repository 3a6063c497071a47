/**
 * Whether an access token is still good, for userinfo and introspection: signature, type,
 * issuer, expiry, not-before, revocation, and — when it names a session — that the session and
 * its client session are still there. Tokens of transient sessions (no `sid`) are judged by the
 * token and the user alone, as in Keycloak. All checks are in memory on a warm cache.
 */
import type { Context } from '../../context.ts';
import type { LoadedRealm, UserView } from '../../realm/realm-service.ts';
import type { UserSession } from '../../session/types.ts';
import { decodeAccessToken, type AccessTokenClaims } from './verify-token.ts';

export type AccessCheck =
  | { valid: true; claims: AccessTokenClaims; user: UserView; session?: UserSession }
  | { valid: false; reason: string; claims?: AccessTokenClaims };

/**
 * `options.dpop`: DPoP-bound tokens (`typ` `DPoP`) pass too; the caller then checks the proof
 * that binds them (userinfo) or only reports them (introspection). Without it, as for the admin
 * API, which checks no proofs, a bound token is refused: it must never pass as a bearer token.
 */
export async function checkAccessToken(ctx: Context, realm: LoadedRealm, issuer: string, token: string, options: { dpop?: boolean } = {}): Promise<AccessCheck> {
  const claims = await decodeAccessToken(realm, token);
  if (!claims) return { valid: false, reason: 'Token verification failed' };
  if (claims.typ !== 'Bearer' && !(options.dpop && claims.typ === 'DPoP')) return { valid: false, reason: 'Token verification failed', claims };
  const now = ctx.sessions.now();
  if (claims.iss !== issuer) return { valid: false, reason: 'Invalid token issuer', claims };
  if (now > claims.exp) return { valid: false, reason: 'Token verification failed', claims };
  const settings = realm.realm.settings;
  const client = realm.clientsByClientId.get(claims.azp);
  if (!client || !client.enabled) return { valid: false, reason: 'Client not found or disabled', claims };
  if (claims.iat < settings.notBefore || claims.iat < client.notBefore) return { valid: false, reason: 'Stale token', claims };
  if (ctx.revocations.isRevoked(claims.jti, now)) return { valid: false, reason: 'Token revoked', claims };

  let session: UserSession | undefined;
  if (claims.sid !== undefined && claims.jti.startsWith('tr')) {
    // A transient session's token names a session that was never stored (Keycloak: "Session not found").
    session = await ctx.sessions.findValid(settings, claims.sid, false);
    if (!session) return { valid: false, reason: 'Session not found', claims };
  } else if (claims.sid !== undefined) {
    const offline = claims.jti.startsWith('of') || claims.jti.startsWith('ft');
    // A token exchange's access token has a client session that was never stored: the user session alone vouches for it.
    const clientSessionStored = !claims.jti.startsWith('nt') && !claims.jti.startsWith('ft');
    session = await ctx.sessions.findValid(settings, claims.sid, offline);
    if (!session || (clientSessionStored && !session.clientSessions.has(client.id))) {
      return { valid: false, reason: "User session not found or doesn't have client attached on it", claims };
    }
  }
  const userId = session?.userId ?? claims.sub;
  const user = userId === undefined ? undefined : await ctx.realms.getUserView(realm, userId);
  if (!user) return { valid: false, reason: 'User not found', claims };
  if (!user.user.enabled) return { valid: false, reason: 'User disabled', claims };
  if (claims.iat < user.user.notBefore) return { valid: false, reason: 'Stale token', claims };
  return { valid: true, claims, user, session };
}

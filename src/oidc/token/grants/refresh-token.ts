/**
 * `grant_type=refresh_token`: the hot path. With the session cached, the only store work is a
 * batched, throttled touch, and none at all on most refreshes; with rotation on
 * (`revokeRefreshToken`) one compare-and-set per refresh keeps reuse counting exact.
 */
import { invalidGrant, invalidRequest } from '../../../errors/index.ts';
import { narrowScopes, validateRefreshToken } from '../../tokens/index.ts';
import { respondWithTokens, type GrantHandler } from './grant.ts';
import { scopeGrantOf } from '../../../realm/index.ts';

/**
 * The acr for a refresh token Keycloak issued before the move, which does not carry the login's:
 * Keycloak's answer for every client session not opened by SSO re-authentication (a password
 * grant, a login with credentials); one opened by SSO said 0 there and says 1 here.
 */
const KEYCLOAK_TOKEN_ACR = '1';

export const refreshTokenGrant: GrantHandler = async (grant) => {
  const { ctx, realm, issuer, client, form, event } = grant;
  const token = form.get('refresh_token');
  if (token === undefined || token === '') throw invalidRequest('No refresh token');
  const { claims, session, clientSession, user } = await validateRefreshToken(ctx, realm, issuer, client, token, { checkExpiry: true, dpop: { proof: grant.dpop } });
  event.user(user.user.id).session(session.id).detail('refresh_token_id', claims.jti).detail('refresh_token_type', claims.typ);
  const settings = realm.realm.settings;

  if (settings.revokeRefreshToken) {
    const use = await ctx.store.useRefreshToken(session.id, session.offline, client.id, {
      jti: claims.jti,
      issuedAt: claims.iat,
      now: ctx.sessions.now(),
      maxReuse: settings.refreshTokenMaxReuse,
    });
    if (use === 'missing') throw invalidGrant("Session doesn't have required client");
    if (use !== 'ok') {
      // Keycloak logs this client out of the session: the newest token dies with the replayed one.
      await ctx.sessions.detachClient(session, client.id);
      throw invalidGrant(use === 'stale' ? 'Stale token' : 'Maximum allowed refresh token reuse exceeded');
    }
  }

  ctx.sessions.touch(settings, session, clientSession);
  const scopes = narrowScopes(scopeGrantOf(realm, client), claims.scope, form.get('scope'));
  return respondWithTokens(grant, {
    user,
    session,
    clientSession,
    scopes,
    grant: 'rt',
    acr: claims.acr ?? KEYCLOAK_TOKEN_ACR,
    includeRefreshToken: true,
    refreshScope: claims.scope,
    requestedAudience: claims.requestedAudience,
  });
};

/**
 * `grant_type=authorization_code`: exchanges a code issued by the authorization endpoint. The
 * code is consumed atomically in the store (single use across restarts and nodes); a replayed
 * code also ends the client session it created, so tokens obtained with it stop working.
 */
import { invalidGrant, invalidRequest, unauthorizedClient } from '../../../errors/index.ts';
import { present } from '../../../http/form.ts';
import { sha256Hex } from '../../../crypto/index.ts';
import { sessionForCode } from '../../offline-sessions.ts';
import { grantScopes } from '../../tokens/index.ts';
import { respondWithTokens, usesRefreshTokens, type GrantHandler } from './grant.ts';
import { verifyPkce } from './pkce.ts';
import { checkAuthorizationCodeBinding } from '../../dpop/index.ts';
import { scopeGrantOf } from '../../../realm/index.ts';

export const authorizationCodeGrant: GrantHandler = async (grant) => {
  const { ctx, realm, client, form, event } = grant;
  const code = present(form, 'code');
  if (code === undefined) throw invalidRequest('Missing parameter: code');
  if (!client.standardFlowEnabled) throw unauthorizedClient('Client not allowed to exchange code');
  if (code.length > 512) throw invalidGrant('Code not valid');

  const consumption = await ctx.store.consumeCode(sha256Hex(code));
  if (consumption.outcome === 'unknown') throw invalidGrant('Code not valid');
  const issued = consumption.code;
  event.detail('code_id', issued.userSessionId).session(issued.userSessionId);
  if (consumption.outcome === 'reused') {
    const session = await ctx.store.getUserSession(issued.userSessionId, false);
    if (session) await ctx.sessions.detachClient(session, issued.clientUuid);
    throw invalidGrant('Code not valid');
  }
  const now = ctx.sessions.now();
  if (now > issued.expiresAt) {
    event.error('expired_code');
    throw invalidGrant('Code is expired');
  }
  if (issued.clientUuid !== client.id) throw invalidGrant('Auth error');
  if (form.get('redirect_uri') !== issued.redirectUri) {
    event.error('invalid_code');
    throw invalidGrant('Incorrect redirect_uri');
  }
  verifyPkce(issued.codeChallenge, issued.codeChallengeMethod, form.get('code_verifier'));
  checkAuthorizationCodeBinding(issued.dpopJkt, grant.dpop);

  const settings = realm.realm.settings;
  let session = await ctx.sessions.findValid(settings, issued.userSessionId, false);
  if (!session) throw invalidGrant('Session not active');
  let clientSession = session.clientSessions.get(client.id);
  if (!clientSession) {
    // The client was attached on another node; this node's cached copy may predate it.
    session = await ctx.sessions.findValid(settings, issued.userSessionId, false, { fresh: true });
    clientSession = session?.clientSessions.get(client.id);
  }
  if (!session || !clientSession) {
    event.error('user_session_not_found');
    throw invalidGrant('Session not active');
  }
  const user = await ctx.realms.getUserView(realm, session.userId);
  event.user(session.userId);
  if (!user) {
    event.error('user_not_found');
    throw invalidGrant('User not found');
  }
  if (!user.user.enabled) {
    event.error('user_disabled');
    throw invalidGrant('User disabled');
  }

  const scopes = grantScopes(scopeGrantOf(realm, client), issued.scope);
  ({ session, clientSession } = await sessionForCode(ctx, realm, client, user, scopes, { session, clientSession }, issued.redirectUri));
  return respondWithTokens(grant, {
    user,
    session,
    clientSession,
    scopes,
    grant: 'ac',
    nonce: issued.nonce,
    authTime: issued.authTime,
    acr: issued.acr,
    includeRefreshToken: usesRefreshTokens(client),
  });
};

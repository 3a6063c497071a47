/**
 * The end of every successful browser login (form or SSO): attach the client to the session,
 * issue a single-use authorization code (stored only as a hash), record the LOGIN event and
 * send the code to the client.
 */
import type { FastifyReply } from 'fastify';
import type { Context } from '../../context.ts';
import { newSecret, sha256Hex } from '../../crypto/index.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { Client } from '../../realm/types.ts';
import type { AuthTab, UserSession } from '../../session/types.ts';
import { grantScopes } from '../tokens/index.ts';
import { sendAuthorizationResponse } from './authorization-response.ts';
import { scopeGrantOf } from '../../realm/index.ts';

export async function completeLogin(
  ctx: Context,
  reply: FastifyReply,
  realm: LoadedRealm,
  issuer: string,
  client: Client,
  tab: Pick<AuthTab, 'redirectUri' | 'responseMode' | 'scope' | 'state' | 'nonce' | 'codeChallenge' | 'codeChallengeMethod'>,
  session: UserSession,
  acr: '0' | '1',
): Promise<FastifyReply> {
  const settings = realm.realm.settings;
  await ctx.sessions.attachClient(settings, session, client, grantScopes(scopeGrantOf(realm, client), tab.scope).value, tab.redirectUri);
  const code = newSecret(32);
  const now = ctx.sessions.now();
  await ctx.store.putCode({
    codeHash: sha256Hex(code),
    realmId: realm.realm.id,
    clientUuid: client.id,
    userSessionId: session.id,
    redirectUri: tab.redirectUri,
    scope: tab.scope,
    nonce: tab.nonce,
    codeChallenge: tab.codeChallenge,
    codeChallengeMethod: tab.codeChallengeMethod,
    authTime: session.authTime,
    acr,
    expiresAt: now + settings.accessCodeLifespan,
  });
  const user = await ctx.realms.getUserView(realm, session.userId);
  ctx.events.recorder
    .user(realm, 'LOGIN', reply.request.clientConnection.address)
    .client(client.clientId)
    .user(session.userId)
    .session(session.id)
    .detail('auth_method', 'openid-connect')
    .detail('auth_type', 'code')
    .detail('redirect_uri', tab.redirectUri)
    .detail('consent', 'no_consent_required')
    .detail('code_id', session.id)
    .detail('username', user?.user.username)
    .success();
  return sendAuthorizationResponse(reply, tab, {
    state: tab.state,
    session_state: client.attributes['exclude.session.state.from.auth.response'] === 'true' ? undefined : session.id,
    iss: client.attributes['exclude.issuer.from.auth.response'] === 'true' ? undefined : issuer,
    code,
  });
}

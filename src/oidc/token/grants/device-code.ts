/**
 * `grant_type=urn:ietf:params:oauth:grant-type:device_code` (RFC 8628 §3.4): the device polls
 * with its device code until the person approved or denied it on the approval page. The checks
 * and their answers are Keycloak's, in its order: unknown code `invalid_grant`, past its lifetime
 * `expired_token`, polled again within the interval `slow_down`, then `access_denied` or
 * `authorization_pending`, then PKCE. An approved code is taken out of the store atomically, so
 * one device code gives tokens once, on any node and after restarts.
 */
import { OAuthError, invalidGrant, invalidRequest } from '../../../errors/index.ts';
import { scopeGrantOf } from '../../../realm/index.ts';
import { deviceGrantEnabled, findByDeviceCode, notePoll, redeemDeviceCode } from '../../device/index.ts';
import { sessionForCode } from '../../offline-sessions.ts';
import { grantScopes } from '../../tokens/index.ts';
import { respondWithTokens, usesRefreshTokens, type GrantHandler } from './grant.ts';
import { verifyPkce } from './pkce.ts';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** A device code is 43 characters; anything much longer is no code of ours and is not hashed. */
const MAX_DEVICE_CODE = 512;

const oauth = (error: string, description: string) => new OAuthError(400, error, description);

export const deviceCodeGrant: GrantHandler = async (grant) => {
  const { ctx, realm, client, form, event } = grant;
  if (!deviceGrantEnabled(client)) {
    event.detail('reason', 'Client not allowed OAuth 2.0 Device Authorization Grant').error('not_allowed');
    throw invalidGrant('Client not allowed OAuth 2.0 Device Authorization Grant');
  }
  const deviceCode = form.get('device_code');
  if (deviceCode === undefined) {
    event.detail('reason', 'Missing parameter: device_code').error('invalid_oauth2_device_code');
    throw invalidRequest('Missing parameter: device_code');
  }
  const stored = deviceCode.length <= MAX_DEVICE_CODE ? await findByDeviceCode(ctx, deviceCode) : undefined;
  if (!stored || stored.record.realmId !== realm.realm.id) {
    event.error('invalid_oauth2_device_code');
    throw invalidGrant('Device code not valid');
  }
  if (stored.record.clientUuid !== client.id) {
    event.detail('reason', 'unauthorized client').error('invalid_oauth2_device_code');
    throw invalidGrant('unauthorized client');
  }
  const { record } = stored;
  if (ctx.sessions.now() > record.expiresAt) {
    event.error('expired_oauth2_device_code');
    throw oauth('expired_token', 'Device code is expired');
  }
  if (!(await notePoll(ctx, stored))) {
    event.error('slow_down');
    throw oauth('slow_down', 'Slow down');
  }
  if (record.status === 'denied') {
    event.detail('reason', 'The end user denied the authorization request').error('access_denied');
    throw oauth('access_denied', 'The end user denied the authorization request');
  }
  if (record.status === 'pending') {
    // Keycloak records no event for a device that is simply waiting.
    event.discard();
    throw oauth('authorization_pending', 'The authorization request is still pending');
  }
  verifyPkce(record.codeChallenge, record.codeChallengeMethod, form.get('code_verifier'));

  const userSessionId = record.userSessionId!;
  event.detail('code_id', userSessionId).session(userSessionId);
  const settings = realm.realm.settings;
  let session = await ctx.sessions.findValid(settings, userSessionId, false);
  if (!session) {
    event.discard();
    throw oauth('authorization_pending', 'The authorization request is verified but can not lookup the user session yet');
  }
  if (!(await redeemDeviceCode(ctx, stored))) {
    event.error('invalid_oauth2_device_code');
    throw invalidGrant('Device code not valid');
  }
  const user = await ctx.realms.getUserView(realm, session.userId);
  if (!user) {
    event.error('user_not_found');
    throw invalidGrant('User not found');
  }
  event.user(user.user.id);
  if (!user.user.enabled) {
    event.error('user_disabled');
    throw invalidGrant('User disabled');
  }
  let clientSession = session.clientSessions.get(client.id);
  if (!clientSession) {
    // Approved on another node: this node's cached copy may predate the client session.
    session = (await ctx.sessions.findValid(settings, userSessionId, false, { fresh: true })) ?? session;
    clientSession = session.clientSessions.get(client.id);
  }
  if (!clientSession) {
    event.error('invalid_code');
    throw invalidGrant('Auth error');
  }

  const scopes = grantScopes(scopeGrantOf(realm, client), record.scope);
  ({ session, clientSession } = await sessionForCode(ctx, realm, client, user, scopes, { session, clientSession }));
  return respondWithTokens(grant, {
    user,
    session,
    clientSession,
    scopes,
    grant: 'dg',
    nonce: record.nonce,
    authTime: session.authTime,
    acr: record.acr ?? '1',
    includeRefreshToken: usesRefreshTokens(client),
  });
};

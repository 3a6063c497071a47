/**
 * `grant_type=password` (direct access grant): checks the user's credentials like the login form
 * does, then opens a user session (or only an offline session when `offline_access` is asked).
 * A client with `holdfast.session.transient` = `true` gets a transient session instead: nothing
 * is stored, and its tokens are refused by refresh and session-bound checks, as Keycloak's
 * transient sessions are (holdfast's attribute; Keycloak sets this from an authenticator).
 */
import { invalidClient, invalidGrant, invalidRequest, serviceUnavailable, unauthorizedClient } from '../../../errors/index.ts';
import { present } from '../../../http/form.ts';
import { newId } from '../../../crypto/index.ts';
import { checkCredentials, loginFailure } from '../../login/credentials.ts';
import { assertOfflineAllowed, offlineSessionFor, wantsOffline } from '../../offline-sessions.ts';
import { grantScopes } from '../../tokens/index.ts';
import { respondWithTokens, TRANSIENT_SESSION_ATTRIBUTE, usesRefreshTokens, type GrantHandler } from './grant.ts';
import { scopeGrantOf } from '../../../realm/index.ts';
import { runDirectSteps } from '../../../authn/index.ts';
import type { AuthTab } from '../../../session/types.ts';

/** Not a failed attempt: nothing was checked, and the user's password may well be right. */
const LOGIN_BUSY = 'Too many logins in progress, try again shortly';

/** The grant has no login tab; steps that run without pages do not read it. */
const DIRECT_TAB: AuthTab = { clientId: '', redirectUri: '', responseType: '', responseMode: 'query', scope: '', sessionCode: '', createdAt: 0 };

export const passwordGrant: GrantHandler = async (grant) => {
  const { ctx, realm, client, form, request, event } = grant;
  event.detail('auth_method', 'openid-connect');
  if (!client.directAccessGrantsEnabled) throw unauthorizedClient('Client not allowed for direct access grants');
  // Keycloak's rule: a client that must ask for consent cannot get tokens without a consent screen.
  if (client.consentRequired) {
    event.error('consent_denied');
    throw invalidClient('Client requires user consent', 400);
  }
  const username = present(form, 'username');
  if (username === undefined) throw invalidRequest('Missing parameter: username', 401);
  const password = form.get('password');
  if (password === undefined) throw invalidRequest('Missing parameter: password', 401);
  const scopes = grantScopes(scopeGrantOf(realm, client), form.get('scope'));

  event.detail('username', username);
  const outcome = await checkCredentials(ctx, realm, username, password, request.clientConnection.address);
  if (outcome.result === 'busy') throw serviceUnavailable(LOGIN_BUSY, 1);
  if (outcome.result === 'disabled') {
    event.user(outcome.user.id).error('user_disabled');
    throw invalidGrant('Account disabled');
  }
  if (outcome.result !== 'ok') {
    event.user(outcome.user?.id).error(loginFailure(outcome));
    throw invalidGrant('Invalid user credentials', 401);
  }
  const user = await ctx.realms.getUserView(realm, outcome.user.id);
  if (!user) throw invalidGrant('Invalid user credentials', 401);
  event.user(user.user.id);
  // The browser flow's later steps, without pages: `totp` for OTP users, refused while an action is pending.
  await runDirectSteps({ ctx, request, realm, issuer: grant.issuer, client, tab: DIRECT_TAB, user: user.user }, form);
  if (user.user.requiredActions.length > 0) {
    event.error('resolve_required_actions');
    throw invalidGrant('Account is not fully set up');
  }

  const settings = realm.realm.settings;
  const now = ctx.sessions.now();
  let session;
  let clientSession;
  const transientSession = !wantsOffline(scopes) && client.attributes[TRANSIENT_SESSION_ATTRIBUTE] === 'true';
  if (transientSession) {
    ({ session, clientSession } = ctx.sessions.transient(settings, { realmId: realm.realm.id, userId: user.user.id, rememberMe: false, ipAddress: request.clientConnection.address }, client, scopes.value));
  } else if (wantsOffline(scopes)) {
    // Keycloak drops the online session the password grant created: only the offline one remains.
    assertOfflineAllowed(realm, client, scopes, user);
    ({ session, clientSession } = await offlineSessionFor(ctx, realm, { id: newId(), userId: user.user.id, ipAddress: request.clientConnection.address, authTime: now }, client, scopes.value));
  } else {
    session = await ctx.sessions.create(settings, { realmId: realm.realm.id, userId: user.user.id, rememberMe: false, ipAddress: request.clientConnection.address, userAgent: request.headers['user-agent'] });
    clientSession = await ctx.sessions.attachClient(settings, session, client, scopes.value);
  }
  return respondWithTokens(grant, {
    user,
    session,
    clientSession,
    transientSession,
    scopes,
    grant: 'ro',
    acr: '1',
    includeRefreshToken: usesRefreshTokens(client),
  });
};

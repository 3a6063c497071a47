/**
 * Logins in progress. One authentication session per browser (`AUTH_SESSION_ID`), one tab per
 * authorization request, stored durably so a login survives a restart or moves to another node.
 * `KC_RESTART` (HS512, session cookie) keeps the pending request so an expired login can start
 * again instead of failing.
 *
 * Everything here is bounded, because anyone can start a login: a session holds at most
 * MAX_TABS tabs and MAX_AUTH_SESSION_BYTES (the oldest tabs give way), the store keeps a bounded
 * number of sessions per client and client network and overall (the oldest give way), and
 * `KC_RESTART` is only sent while it fits a browser's cookie limit.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { newSecret, sha256Base64Url, signHmac, verifyJwt } from '../../crypto/index.ts';
import { ErrorPage } from '../../errors/index.ts';
import { clientNetwork } from '../../http/client-network.ts';
import { AUTH_SESSION_ID, clearRealmCookie, setRealmCookie } from '../../http/cookies.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { AuthSession, AuthTab } from '../../session/types.ts';
import type { AuthorizationRequest } from '../auth/authorization-request.ts';

export const KC_RESTART = 'KC_RESTART';
const MAX_TABS = 16;
/** Stored size of one authentication session (JSON of its tabs); one tab of a real browser is under 2 KB. */
export const MAX_AUTH_SESSION_BYTES = 64 * 1024;
/**
 * Browsers drop a cookie whose name, value and attributes pass 4096 bytes; a larger `KC_RESTART`
 * is not sent (the login works, it just cannot restart after expiring).
 */
export const MAX_RESTART_COOKIE_BYTES = 3800;
const AUTH_SESSION_SHAPE = /^[A-Za-z0-9_-]{20,64}$/;

export function tabFromRequest(authRequest: AuthorizationRequest, now: number): AuthTab {
  return {
    clientId: authRequest.client.clientId,
    redirectUri: authRequest.redirectUri,
    responseType: authRequest.responseType,
    responseMode: authRequest.responseMode,
    // Granted again at code exchange: what was asked (the client's defaults are added then).
    scope: authRequest.scopes.requested,
    state: authRequest.state,
    nonce: authRequest.nonce,
    codeChallenge: authRequest.codeChallenge,
    codeChallengeMethod: authRequest.codeChallengeMethod,
    dpopJkt: authRequest.dpopJkt,
    prompt: authRequest.prompt,
    maxAge: authRequest.maxAge,
    loginHint: authRequest.loginHint,
    kcAction: authRequest.kcAction,
    uiLocales: authRequest.uiLocales,
    acr: authRequest.acr.essential.length > 0 || authRequest.acr.values.length > 0 ? authRequest.acr : undefined,
    pushedRequest: authRequest.pushedRequest,
    sessionCode: newSecret(16),
    createdAt: now,
  };
}


/** The browser's authentication session id from its cookie (the part before any `.route`). */
export function authSessionIdFromCookie(request: FastifyRequest): string | undefined {
  const value = request.cookies[AUTH_SESSION_ID];
  if (!value) return undefined;
  const id = value.split('.')[0];
  return AUTH_SESSION_SHAPE.test(id) ? id : undefined;
}

/**
 * `<id>.<route>`: the route of the live node this login is pinned to (rendezvous hashing), so a
 * load balancer can keep the login on one node. Only a hint: every node serves every login.
 */
export function authSessionCookieValue(ctx: Context, id: string): string {
  return ctx.config.routeCookie ? `${id}.${ctx.cluster.routeFor(id)}` : id;
}

export async function loadAuthSession(ctx: Context, realm: LoadedRealm, id: string | undefined): Promise<AuthSession | undefined> {
  if (!id) return undefined;
  const session = await ctx.store.getAuthSession(id);
  if (!session || session.realmId !== realm.realm.id || ctx.sessions.now() > session.expiresAt) return undefined;
  return session;
}

/** Who opens a new login, for the store's per-origin bound: realm, client and client network, hashed. */
function authSessionOrigin(request: FastifyRequest, realm: LoadedRealm, tab: AuthTab): string {
  return sha256Base64Url(JSON.stringify([realm.realm.id, tab.clientId, clientNetwork(request)]));
}

/** Drops the oldest tabs beyond MAX_TABS or MAX_AUTH_SESSION_BYTES; refuses a tab that alone is too large. */
function boundTabs(session: AuthSession): void {
  const tabIds = Object.keys(session.tabs);
  for (const old of tabIds.slice(0, Math.max(0, tabIds.length - MAX_TABS))) delete session.tabs[old];
  for (const old of Object.keys(session.tabs)) {
    if (Buffer.byteLength(JSON.stringify(session.tabs)) <= MAX_AUTH_SESSION_BYTES) return;
    if (Object.keys(session.tabs).length === 1) throw new ErrorPage(400, 'Invalid Request');
    delete session.tabs[old];
  }
}

/** Adds a tab for this request to the browser's authentication session (creating it if needed). */
export async function openTab(
  ctx: Context,
  request: FastifyRequest,
  reply: FastifyReply,
  realm: LoadedRealm,
  issuer: string,
  tab: AuthTab,
): Promise<{ session: AuthSession; tabId: string }> {
  const now = ctx.sessions.now();
  const existing = await loadAuthSession(ctx, realm, authSessionIdFromCookie(request));
  const session: AuthSession = existing ?? { id: newSecret(24), realmId: realm.realm.id, origin: authSessionOrigin(request, realm, tab), createdAt: now, expiresAt: 0, tabs: {} };
  session.expiresAt = now + realm.realm.settings.accessCodeLifespanLogin;
  const tabId = newSecret(8);
  session.tabs[tabId] = tab;
  boundTabs(session);
  if (existing) await ctx.store.putAuthSession(session);
  else await ctx.store.createAuthSession(session, ctx.config.authSessionLimits);
  setRealmCookie(request, reply, issuer, AUTH_SESSION_ID, authSessionCookieValue(ctx, session.id), { httpOnly: true });
  const restart = await signHmac({ typ: 'restart', tab }, realm.keys);
  if (restart.length + KC_RESTART.length + 1 <= MAX_RESTART_COOKIE_BYTES) setRealmCookie(request, reply, issuer, KC_RESTART, restart, { httpOnly: true });
  // An older request's restart cookie must not stand in for this one.
  else if (request.cookies[KC_RESTART] !== undefined) clearRealmCookie(request, reply, issuer, KC_RESTART);
  return { session, tabId };
}

/** The pending request of an expired login, from its `KC_RESTART` cookie. */
export async function restartTab(ctx: Context, request: FastifyRequest, realm: LoadedRealm): Promise<AuthTab | undefined> {
  const cookie = request.cookies[KC_RESTART];
  if (!cookie) return undefined;
  try {
    const claims = await verifyJwt(cookie, realm.keys, 'hmac');
    if (claims.typ !== 'restart' || typeof claims.tab !== 'object' || claims.tab === null) return undefined;
    // Only the request: what a login found out (user, steps done) never comes back from a cookie.
    const { userId: _userId, completedSteps: _steps, rememberMe: _rememberMe, notes: _notes, userSessionNotes: _sessionNotes, ssoSessionId: _sso, ...tab } = claims.tab as AuthTab;
    const client = realm.clientsByClientId.get(tab.clientId);
    if (!client || !client.enabled) return undefined;
    return { ...tab, sessionCode: newSecret(16), createdAt: ctx.sessions.now() };
  } catch {
    return undefined;
  }
}

export async function finishAuthSession(ctx: Context, request: FastifyRequest, reply: FastifyReply, issuer: string, session: AuthSession): Promise<void> {
  await ctx.store.deleteAuthSession(session.id);
  clearRealmCookie(request, reply, issuer, KC_RESTART);
}

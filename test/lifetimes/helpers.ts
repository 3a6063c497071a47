/**
 * What the lifetime tests share: changing the demo realm's settings and a client's attributes
 * through the repository (as an admin would), adding users, and the token requests they make
 * through `app.inject()`, including a browser login with remember-me.
 */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Holdfast } from '../../src/app.ts';
import { DEFAULT_REALM_SETTINGS, newPasswordCredential, newUser, type RealmSettings } from '../../src/realm/index.ts';
import { DEMO, form } from '../support/app.ts';

/** Brute-force detection on, with Keycloak's defaults but `failureFactor` 3 (lockout and security tests). */
export const BRUTE_FORCE_PROTECTED: Partial<RealmSettings> = {
  bruteForceProtected: true,
  failureFactor: 3,
  waitIncrementSeconds: 60,
  maxFailureWaitSeconds: 900,
  minimumQuickLoginWaitSeconds: 60,
  quickLoginCheckMilliSeconds: 1000,
  maxDeltaTimeSeconds: 43200,
};

export const SERVICE = { client_id: 'demo-service', client_secret: 'demo-service-secret' };
export const REDIRECT = 'http://localhost:3000/cb';

export interface TokenAnswer {
  status: number;
  body: any;
}

/** Replaces the demo realm's settings with Keycloak's defaults plus `patch`; every node hears of it. */
export async function configureRealm(h: Holdfast, patch: Partial<RealmSettings>, realmName = 'demo'): Promise<void> {
  const repository = h.ctx.realms.repository;
  const realm = (await repository.findRealmByName(realmName))!;
  const keep = { displayName: realm.settings.displayName, attributes: realm.settings.attributes, rememberMe: realm.settings.rememberMe };
  await repository.updateRealm({ ...realm, settings: { ...DEFAULT_REALM_SETTINGS, ...keep, ...patch } });
  await h.ctx.realms.realmChanged(realm.id);
}

/** Sets a client's attributes (replacing the ones named in `attributes`, removing those set to undefined). */
export async function configureClient(h: Holdfast, clientId: string, attributes: Record<string, string | undefined>, realmName = 'demo'): Promise<void> {
  const repository = h.ctx.realms.repository;
  const realm = (await repository.findRealmByName(realmName))!;
  const client = (await repository.listClients(realm.id)).find((c) => c.clientId === clientId)!;
  const merged: Record<string, string> = { ...client.attributes };
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) delete merged[name];
    else merged[name] = value;
  }
  await repository.updateClient({ ...client, attributes: merged });
  await h.ctx.realms.realmChanged(realm.id);
}

/** Adds a user with the realm's default roles (so `offline_access` too) and a password. */
export async function addUser(h: Holdfast, username: string, password: string, realmName = 'demo'): Promise<string> {
  const repository = h.ctx.realms.repository;
  const realm = (await repository.findRealmByName(realmName))!;
  const nowMs = h.ctx.clock.nowMs();
  const user = newUser(realm.id, { username }, nowMs);
  await repository.createUser(user, [realm.settings.attributes.defaultRoleId], await newPasswordCredential(password, nowMs));
  return user.id;
}

export async function tokenRequest(h: Holdfast, fields: Record<string, string>): Promise<TokenAnswer> {
  const response = await h.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form(fields) });
  return { status: response.statusCode, body: response.json() };
}

export function passwordGrant(h: Holdfast, username = 'alice', password = 'alice', scope = 'openid'): Promise<TokenAnswer> {
  return tokenRequest(h, { grant_type: 'password', username, password, scope, ...SERVICE });
}

export function refresh(h: Holdfast, refreshToken: string): Promise<TokenAnswer> {
  return tokenRequest(h, { grant_type: 'refresh_token', refresh_token: refreshToken, ...SERVICE });
}

/** Asserts an OAuth error answer exactly: status, `error` and `error_description`. */
export function assertOAuthError(answer: TokenAnswer, status: number, error: string, description: string, context = ''): void {
  assert.deepEqual(
    { status: answer.status, error: answer.body.error, error_description: answer.body.error_description },
    { status, error, error_description: description },
    context,
  );
}

/** A cookie jar over inject responses. */
class InjectJar {
  readonly cookies = new Map<string, { value: string; maxAge?: number }>();
  store(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as Array<{ name: string; value: string; maxAge?: number }>) {
      if (cookie.value === '' || cookie.maxAge === 0) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, { value: cookie.value, maxAge: cookie.maxAge });
    }
  }
  header(): string {
    return [...this.cookies].map(([name, { value }]) => `${name}=${value}`).join('; ');
  }
}

/** Opens the login page for demo-service and posts the form: the answer (302 to the client, or the page again). */
export async function formLogin(h: Holdfast, username: string, password: string, rememberMe = false): Promise<{ response: LightMyRequestResponse; jar: InjectJar }> {
  const jar = new InjectJar();
  const query = new URLSearchParams({ client_id: SERVICE.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: 'st' });
  const page = await h.app.inject({ method: 'GET', url: `${DEMO}/auth?${query}` });
  jar.store(page);
  assert.equal(page.statusCode, 200, page.body);
  const raw = page.body
    .match(/id="kc-form-login" method="post" action="([^"]+)"/)![1]
    .replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c)))
    .replace(/&amp;/g, '&');
  const action = new URL(raw);
  const fields: Record<string, string> = { username, password, ...(rememberMe ? { rememberMe: 'on' } : {}) };
  const response = await h.app.inject({ method: 'POST', url: action.pathname + action.search, ...form(fields), headers: { ...form(fields).headers, cookie: jar.header() } });
  jar.store(response);
  return { response, jar };
}

/** The error the login page shows, if any. */
export function loginPageError(response: LightMyRequestResponse): string | undefined {
  return response.body.match(/id="input-error"[^>]*>([^<]*)</)?.[1];
}

/**
 * Logs alice in through the login form (ticking "Remember me" when asked), redeems the code for
 * demo-service and returns the token answer with the SSO cookies the browser got.
 */
export async function browserLogin(h: Holdfast, rememberMe: boolean): Promise<TokenAnswer & { cookies: InjectJar['cookies'] }> {
  const { response, jar } = await formLogin(h, 'alice', 'alice', rememberMe);
  assert.equal(response.statusCode, 302, response.body);
  const code = new URL(response.headers.location as string).searchParams.get('code')!;
  const answer = await tokenRequest(h, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...SERVICE });
  return { ...answer, cookies: jar.cookies };
}

/**
 * Consent (Keycloak's OAuth grant screen) for a `consentRequired` client, through the pages'
 * forms over app.inject and the admin API through @keycloak/keycloak-admin-client: the screen
 * after the password with Keycloak's texts, "No" answering `access_denied`, "Yes" storing the
 * consent, the SSO session skipping the screen once consented and showing it for a new scope
 * only, `prompt=consent` and `prompt=none`, offline_access as an additional grant, revocation
 * ending the client's offline token, realm import of `clientConsents`, and bad input: a form
 * without its code, a tampered scope list, the password grant.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { form, type TestApp } from '../support/app.ts';
import { adminClient, failure, startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { codeOf, formActionOf, LoginBrowser, REDIRECT, textOf } from '../authn/login-browser.ts';

const REALM = 'consent-test';
const CLIENT = 'consent-app';
const SECRET = 'consent-app-secret';
const TOKEN = `/realms/${REALM}/protocol/openid-connect/token`;

/** The consent screen's lines, in order. */
function consentLines(html: string): string[] {
  return [...html.matchAll(/<li><span>([^<]*)<\/span><\/li>/g)].map((m) => m[1]);
}

describe('consent', () => {
  let server: AdminServer;
  let t: TestApp;
  let kc: KcAdminClient;
  let userId: string;

  before(async () => {
    server = await startAdminServer();
    t = { app: server.holdfast.app } as TestApp;
    kc = await adminClient(server.url);
    await kc.realms.create({ realm: REALM, enabled: true });
    kc.setConfig({ realmName: REALM });
    await kc.clients.create({ clientId: CLIENT, secret: SECRET, publicClient: false, consentRequired: true, redirectUris: [REDIRECT], directAccessGrantsEnabled: true });
    userId = (await kc.users.create({ username: 'alice', enabled: true, email: 'alice@example.com', emailVerified: true, firstName: 'Alice', lastName: 'L', credentials: [{ type: 'password', value: 'alice', temporary: false }] })).id;
  });
  after(() => server.close());

  const authorize = (browser: LoginBrowser, extra: Record<string, string> = {}) =>
    browser.get(`/realms/${REALM}/protocol/openid-connect/auth?${new URLSearchParams({ client_id: CLIENT, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: 'st', ...extra })}`);
  const signIn = async (browser: LoginBrowser, extra: Record<string, string> = {}) => browser.submit(await authorize(browser, extra), 'kc-form-login', { username: 'alice', password: 'alice' });
  const exchange = async (code: string) =>
    t.app.inject({ method: 'POST', url: TOKEN, ...form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT, client_secret: SECRET }) });
  const redirectParams = (response: LightMyRequestResponse) => {
    assert.equal(response.statusCode, 302, response.body.slice(0, 800));
    return new URL(response.headers.location as string).searchParams;
  };

  it('shows the consent screen after the password; "No" answers access_denied and signs nobody in', async () => {
    const browser = new LoginBrowser(t);
    const page = await signIn(browser);
    assert.equal(page.statusCode, 200);
    assert.equal(textOf(page.body, 'kc-page-title'), `Grant Access to ${CLIENT}`);
    assert.match(page.body, /Do you grant these access privileges\?/);
    assert.deepEqual(consentLines(page.body), ['User roles', 'User profile', 'Email address']);
    assert.match(page.body, /name="accept"[^>]*value="Yes"/);
    assert.match(page.body, /name="cancel"[^>]*value="No"/);
    assert.match(formActionOf(page.body, 'kc-oauth'), new RegExp(`^/realms/${REALM}/login-actions/consent\\?`));

    const denied = redirectParams(await browser.submit(page, 'kc-oauth', { cancel: 'No' }));
    assert.equal(denied.get('error'), 'access_denied');
    assert.equal(denied.get('error_description'), null);
    assert.equal(denied.get('state'), 'st');
    assert.equal(redirectParams(await authorize(browser, { prompt: 'none' })).get('error'), 'login_required');
    assert.deepEqual(await kc.users.listConsents({ id: userId }), []);
  });

  it('stores the consent on "Yes", asks again only for new scopes, and honours prompt=consent and prompt=none', async () => {
    const browser = new LoginBrowser(t);
    const code = codeOf(await browser.submit(await signIn(browser), 'kc-oauth', { accept: 'Yes' }));
    assert.equal((await exchange(code)).statusCode, 200);
    const [consent] = await kc.users.listConsents({ id: userId });
    assert.equal(consent.clientId, CLIENT);
    assert.deepEqual([...(consent.grantedClientScopes ?? [])].sort(), ['email', 'profile', 'roles']);
    assert.equal(typeof consent.createdDate, 'number');
    assert.deepEqual((consent as { additionalGrants?: unknown[] }).additionalGrants, []);

    // Consented: the SSO session completes at once, with and without prompt=none.
    codeOf(await authorize(browser));
    codeOf(await authorize(browser, { prompt: 'none' }));
    // A new scope: prompt=none cannot ask (Keycloak's interaction_required); otherwise the screen lists only it.
    assert.equal(redirectParams(await authorize(browser, { prompt: 'none', scope: 'openid phone' })).get('error'), 'interaction_required');
    const phone = await authorize(browser, { scope: 'openid phone' });
    assert.equal(phone.statusCode, 200);
    assert.deepEqual(consentLines(phone.body), ['Phone number']);
    const sessionState = redirectParams(await browser.submit(phone, 'kc-oauth', { accept: 'Yes' })).get('session_state');
    assert.ok(sessionState);
    // prompt=consent asks for everything again, in the same SSO session.
    const again = await authorize(browser, { prompt: 'consent', scope: 'openid phone' });
    assert.deepEqual(consentLines(again.body), ['User roles', 'User profile', 'Email address', 'Phone number']);
    assert.equal(redirectParams(await browser.submit(again, 'kc-oauth', { accept: 'Yes' })).get('session_state'), sessionState);
    const [updated] = await kc.users.listConsents({ id: userId });
    assert.deepEqual([...(updated.grantedClientScopes ?? [])].sort(), ['email', 'phone', 'profile', 'roles']);
  });

  it('lists an offline token as an additional grant, and revoking ends it', async () => {
    const browser = new LoginBrowser(t);
    const page = await signIn(browser, { scope: 'openid offline_access' });
    assert.deepEqual(consentLines(page.body), ['Offline Access']);
    const tokens = await exchange(codeOf(await browser.submit(page, 'kc-oauth', { accept: 'Yes' })));
    assert.equal(tokens.statusCode, 200, tokens.body);
    const offline = tokens.json().refresh_token as string;
    const [consent] = await kc.users.listConsents({ id: userId });
    const client = (await kc.clients.find({ clientId: CLIENT }))[0];
    assert.deepEqual((consent as { additionalGrants?: unknown[] }).additionalGrants, [{ client: client.id, key: 'Offline Token' }]);

    await kc.users.revokeConsent({ id: userId, clientId: CLIENT });
    assert.deepEqual(await kc.users.listConsents({ id: userId }), []);
    const refresh = await t.app.inject({ method: 'POST', url: TOKEN, ...form({ grant_type: 'refresh_token', refresh_token: offline, client_id: CLIENT, client_secret: SECRET }) });
    assert.equal(refresh.statusCode, 400);
    assert.equal(refresh.json().error, 'invalid_grant');
    const twice = await failure(kc.users.revokeConsent({ id: userId, clientId: CLIENT }));
    assert.equal(twice.status, 404);
    assert.equal(twice.body.error, 'Consent nor offline token not found');
    const unknown = await failure(kc.users.revokeConsent({ id: userId, clientId: 'no-such-client' }));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'Client not found');
    // The SSO session is still there, but the screen is back.
    assert.deepEqual(consentLines((await authorize(browser)).body), ['User roles', 'User profile', 'Email address']);
  });

  it('refuses a consent form without its code or from another page, and grants only what the login asked for', async () => {
    const browser = new LoginBrowser(t);
    const page = await signIn(browser);
    const action = formActionOf(page.body, 'kc-oauth');
    const url = new URL(action, 'http://x');
    url.searchParams.delete('session_code');
    const withoutCode = await browser.post(url.pathname + url.search, { accept: 'Yes' });
    assert.equal(withoutCode.statusCode, 200);
    assert.match(withoutCode.body, /Page has expired/);
    assert.deepEqual(await kc.users.listConsents({ id: userId }), []);
    const wrongCode = await browser.post(url.pathname + url.search, { accept: 'Yes', code: 'guessed' });
    assert.match(wrongCode.body, /Page has expired/);
    assert.deepEqual(await kc.users.listConsents({ id: userId }), []);

    // A tampered scope list in the form is not read: only the request's scopes are granted.
    const current = wrongCode;
    codeOf(await browser.submit(current, 'kc-oauth', { accept: 'Yes', scope: 'openid phone address offline_access', grantedClientScopes: 'address' }));
    const [consent] = await kc.users.listConsents({ id: userId });
    assert.deepEqual([...(consent.grantedClientScopes ?? [])].sort(), ['email', 'profile', 'roles']);
    await kc.users.revokeConsent({ id: userId, clientId: CLIENT });

    // Without the login's cookie the form is refused outright.
    const cookieless = await t.app.inject({ method: 'POST', url: formActionOf(current.body, 'kc-oauth'), ...form({ accept: 'Yes' }) });
    assert.equal(cookieless.statusCode, 400);
  });

  it('refuses the password grant, as Keycloak does', async () => {
    const response = await t.app.inject({ method: 'POST', url: TOKEN, ...form({ grant_type: 'password', username: 'alice', password: 'alice', client_id: CLIENT, client_secret: SECRET }) });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), { error: 'invalid_client', error_description: 'Client requires user consent' });
  });

  it('imports and exports users\' clientConsents', async () => {
    kc.setConfig({ realmName: 'master' });
    await kc.realms.create({
      realm: `${REALM}-imported`,
      enabled: true,
      clients: [{ clientId: CLIENT, secret: SECRET, consentRequired: true, redirectUris: [REDIRECT] }],
      users: [{ username: 'bob', enabled: true, clientConsents: [{ clientId: CLIENT, grantedClientScopes: ['profile', 'email'], createdDate: 1700000000000, lastUpdatedDate: 1700000001000 }] }],
    });
    kc.setConfig({ realmName: `${REALM}-imported` });
    const [bob] = await kc.users.find({ username: 'bob', exact: true });
    const [consent] = await kc.users.listConsents({ id: bob.id! });
    assert.equal(consent.clientId, CLIENT);
    assert.deepEqual([...(consent.grantedClientScopes ?? [])].sort(), ['email', 'profile']);
    assert.equal(consent.createdDate, 1700000000000);
    assert.equal(consent.lastUpdatedDate, 1700000001000);

    kc.setConfig({ realmName: 'master' });
    const refused = await failure(kc.realms.create({ realm: `${REALM}-bad`, enabled: true, users: [{ username: 'carol', enabled: true, clientConsents: [{ clientId: 'missing', grantedClientScopes: [] }] }] }));
    assert.equal(refused.status, 400);
    kc.setConfig({ realmName: REALM });
  });
});

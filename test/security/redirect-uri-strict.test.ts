/**
 * Redirect URIs are parsed strictly (RFC 3986) and the string that passed is exactly the string
 * sent back: no parser differential (`\`, tabs, newlines, non-ASCII, case, missing slashes) can
 * turn an allowed URI into another host, and no redirect URI can crash the `Location` write.
 * Every refused request leaves the store as it was: no code, no login tab, no session change.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createHash } from 'node:crypto';
import { DEMO, form, testApp, type TestApp } from '../support/app.ts';
import { browserLogin, serverErrors, storeWrites, type BrowserLogin } from '../support/inject-browser.ts';
import { clientDefaults, verifyRedirectUri, type Client } from '../../src/realm/index.ts';

const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const PKCE = { code_challenge: createHash('sha256').update(VERIFIER).digest('base64url'), code_challenge_method: 'S256' };

/** Each is refused against demo-app's `http://localhost:3000/*` (and `http://127.0.0.1:3000/*`). */
const ATTACKS: Record<string, string> = {
  'backslash userinfo': 'http://localhost:3000\\@evil.com/',
  'backslash after the port': 'http://localhost:3000\\evil.com/',
  'backslash in the path': 'http://localhost:3000/\\evil.com/',
  'slash-backslash': 'http:/\\evil.com/',
  'backslashes for slashes': 'http:\\\\evil.com/',
  'scheme-relative': '//evil.com/',
  'scheme-relative backslash': '/\\evil.com/',
  'no slashes': 'http:localhost:3000/',
  'one slash': 'http:/localhost:3000/',
  'tab inside': 'http://localhost:3000/c\tb',
  'tab in the host': 'http://local\thost:3000/',
  'CR inside': 'http://localhost:3000/c\rb',
  'LF inside': 'http://localhost:3000/c\nb',
  'CRLF header injection': 'http://localhost:3000/cb\r\nSet-Cookie: x=1',
  'NUL inside': 'http://localhost:3000/c\u0000b',
  'DEL inside': 'http://localhost:3000/c\u007fb',
  'space inside': 'http://localhost:3000/c b',
  'leading space': ' http://localhost:3000/',
  'trailing space': 'http://localhost:3000/ ',
  'non-ASCII é': 'http://localhost:3000/\u00e9',
  'U+2028': 'http://localhost:3000/\u2028',
  'no-break space': 'http://localhost:3000/\u00a0',
  'homoglyph host': 'http://l\u043ecalhost:3000/',
  'fullwidth colon': 'http://localhost\uff1a3000/',
  'upper-case scheme': 'HTTP://localhost:3000/',
  'mixed-case scheme': 'Http://localhost:3000/',
  'upper-case host': 'http://LOCALHOST:3000/',
  'userinfo before the host': 'http://localhost:3000@evil.com/',
  'userinfo with the real host after': 'http://evil.com@localhost:3000/',
  'percent-encoded host': 'http://local%68ost:3000/',
  'percent-encoded userinfo': 'http://localhost%3a3000%40evil.com/',
  'dot-dot': 'http://localhost:3000/../evil',
  'encoded dot-dot': 'http://localhost:3000/a/%2e%2E/b',
  'half-encoded dot-dot': 'http://localhost:3000/a/.%2e',
  'dot-dot after an encoded backslash': 'http://localhost:3000/a%5c..%5cevil',
  'two fragment marks': 'http://localhost:3000/cb#a#b',
  'space in the fragment': 'http://localhost:3000/cb#a b',
  javascript: 'javascript:alert(1)//http://localhost:3000/',
  data: 'data:text/html,<script>alert(1)</script>',
  'another port': 'http://localhost:3001/',
  'host suffix': 'http://localhost:3000.evil.com/',
  'over-long': `http://localhost:3000/${'a'.repeat(2100)}`,
};

/** Percent-encoded, these are plain data in a valid URI (Keycloak accepts them too) and are sent back as written. */
const ENCODED = [
  'http://localhost:3000/cb%0d%0aSet-Cookie:%20x=1',
  'http://localhost:3000/cb%00',
  'http://localhost:3000/cb%09%20%7f',
  'http://localhost:3000/%C3%A9',
  'http://localhost:3000/cb%E2%80%A8',
  'http://localhost:3000/%5C%40evil.com',
  'http://localhost:3000/cb?next=%5C%40evil.com&x=%0A',
];

describe('strict redirect URIs', () => {
  let t: TestApp;
  let browser: BrowserLogin;

  before(async () => {
    t = await testApp();
    browser = await browserLogin(t);
  });
  after(async () => {
    assert.equal(await serverErrors(t), 0);
    await t.close();
  });

  const authorize = (redirectUri: string, extra: Record<string, string> = {}, cookie = browser.cookie) =>
    t.app.inject({
      method: 'GET',
      url: `${DEMO}/auth?${new URLSearchParams({ client_id: 'demo-app', redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 'st', ...PKCE, ...extra })}`,
      headers: cookie ? { cookie } : {},
    });

  /** Runs `request` and asserts Keycloak's error page with `message`, no redirect, and an untouched store. */
  async function expectErrorPage(label: string, message: string, request: () => Promise<LightMyRequestResponse>) {
    const writesBefore = await storeWrites(t);
    const sessionsBefore = await t.ctx.store.countUserSessions();
    const response = await request();
    assert.equal(response.statusCode, 400, label);
    assert.match(response.headers['content-type'] as string, /^text\/html/, label);
    assert.ok(response.body.includes(`<p id="kc-error-message" class="instruction">${message}</p>`), `${label}: ${response.body.slice(0, 300)}`);
    assert.equal(response.headers.location, undefined, label);
    assert.equal(await storeWrites(t), writesBefore, `${label}: the store was written`);
    assert.equal(await t.ctx.store.countUserSessions(), sessionsBefore, label);
  }

  it('refuses every parser trick at /auth, with an SSO session (no code) and without one (no login tab)', async () => {
    for (const [label, uri] of Object.entries(ATTACKS)) {
      await expectErrorPage(`${label} (SSO)`, 'Invalid parameter: redirect_uri', () => authorize(uri));
      await expectErrorPage(`${label} (login)`, 'Invalid parameter: redirect_uri', () => authorize(uri, {}, ''));
      await expectErrorPage(`${label} (form_post)`, 'Invalid parameter: redirect_uri', () => authorize(uri, { response_mode: 'form_post' }));
      await expectErrorPage(`${label} (prompt=none)`, 'Invalid parameter: redirect_uri', () => authorize(uri, { prompt: 'none' }, ''));
    }
  });

  it('refuses them in a POSTed authorization request too', async () => {
    for (const [label, uri] of Object.entries(ATTACKS)) {
      const fields = { client_id: 'demo-app', redirect_uri: uri, response_type: 'code', scope: 'openid', ...PKCE };
      await expectErrorPage(label, 'Invalid parameter: redirect_uri', () =>
        t.app.inject({ method: 'POST', url: `${DEMO}/auth`, ...form(fields), headers: { ...form({}).headers, cookie: browser.cookie } }),
      );
    }
  });

  it('sends a code to exactly the validated string, and the code redeems with that string', async () => {
    for (const uri of ENCODED) {
      const response = await authorize(uri);
      assert.equal(response.statusCode, 302, uri);
      const location = response.headers.location as string;
      assert.match(location, /^[\x21-\x7e]+$/, uri);
      assert.ok(location.startsWith(`${uri}${uri.includes('?') ? '&' : '?'}state=st&session_state=`), location);
      const code = new URLSearchParams(location.slice(location.indexOf('?') + 1)).get('code');
      const redeemed = await t.app.inject({
        method: 'POST',
        url: `${DEMO}/token`,
        ...form({ grant_type: 'authorization_code', client_id: 'demo-app', code: code!, redirect_uri: uri, code_verifier: VERIFIER }),
      });
      assert.equal(redeemed.statusCode, 200, `${uri}: ${redeemed.body}`);
    }
  });

  it('posts form_post responses to exactly the validated string', async () => {
    const uri = ENCODED[0];
    const response = await authorize(uri, { response_mode: 'form_post' });
    assert.equal(response.statusCode, 200);
    const action = response.body.match(/<form method="post" action="([^"]+)">/)![1].replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c)));
    assert.equal(action, uri);
  });

  it('sends authorization errors to exactly the validated string', async () => {
    const uri = 'http://localhost:3000/cb%0d%0a?x=%5C';
    const response = await authorize(uri, { scope: 'openid root' }, '');
    assert.equal(response.statusCode, 302);
    assert.ok((response.headers.location as string).startsWith(`${uri}&error=invalid_scope&error_description=`), response.headers.location as string);
    const none = await authorize(uri, { prompt: 'none' }, '');
    assert.ok((none.headers.location as string).startsWith(`${uri}&error=login_required&state=st`), none.headers.location as string);
  });

  it('refuses the same tricks as post_logout_redirect_uri with "Invalid redirect uri", and logs nobody out', async () => {
    for (const [label, uri] of Object.entries(ATTACKS)) {
      const withClient = new URLSearchParams({ client_id: 'demo-service', post_logout_redirect_uri: uri, state: 's' });
      await expectErrorPage(`${label} (client_id)`, 'Invalid redirect uri', () => t.app.inject({ method: 'GET', url: `${DEMO}/logout?${withClient}`, headers: { cookie: browser.cookie } }));
      const withHint = new URLSearchParams({ id_token_hint: browser.tokens.id_token, post_logout_redirect_uri: uri });
      await expectErrorPage(`${label} (id_token_hint)`, 'Invalid redirect uri', () => t.app.inject({ method: 'GET', url: `${DEMO}/logout?${withHint}`, headers: { cookie: browser.cookie } }));
      await expectErrorPage(`${label} (POST)`, 'Invalid redirect uri', () =>
        t.app.inject({ method: 'POST', url: `${DEMO}/logout`, ...form(Object.fromEntries(withHint)), headers: { ...form({}).headers, cookie: browser.cookie } }),
      );
    }
    const refreshed = await t.app.inject({
      method: 'POST',
      url: `${DEMO}/token`,
      ...form({ grant_type: 'refresh_token', refresh_token: browser.tokens.refresh_token, client_id: 'demo-service', client_secret: 'demo-service-secret' }),
    });
    assert.equal(refreshed.statusCode, 200, 'the session survived every refused logout');
  });

  it('redirects after logout to exactly the validated string', async () => {
    const other = await browserLogin(t);
    const uri = 'http://localhost:3000/bye%0d%0a%C3%A9';
    const query = new URLSearchParams({ id_token_hint: other.tokens.id_token, post_logout_redirect_uri: uri, state: 's 1' });
    const response = await t.app.inject({ method: 'GET', url: `${DEMO}/logout?${query}`, headers: { cookie: other.cookie } });
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, `${uri}?state=s%201`);
  });

  it('uses a lone registered URI for a plain OAuth request without redirect_uri only when that URI is itself valid; an OpenID request must name one', async () => {
    const master = await t.app.inject({ method: 'POST', url: '/realms/master/protocol/openid-connect/token', ...form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }) });
    const admin = { authorization: `Bearer ${master.json().access_token}` };
    for (const [clientId, registered] of [
      ['broken-default', 'http://localhost:4000/c\u2028b'],
      ['good-default', 'http://localhost:4000/cb'],
    ]) {
      // The clients API refuses a URI that is not one (as Keycloak's does); a partial import can still store it.
      const created = await t.app.inject({ method: 'POST', url: '/admin/realms/demo/partialImport', headers: admin, payload: { ifResourceExists: 'FAIL', clients: [{ clientId, publicClient: true, redirectUris: [registered] }] } });
      assert.equal(created.statusCode, 200, created.body);
    }
    const query = (clientId: string, scope = 'profile') => `${DEMO}/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope, prompt: 'none' })}`;
    await expectErrorPage('broken lone URI', 'Invalid parameter: redirect_uri', () => t.app.inject({ method: 'GET', url: query('broken-default') }));
    const good = await t.app.inject({ method: 'GET', url: query('good-default') });
    assert.equal(good.statusCode, 302);
    assert.ok((good.headers.location as string).startsWith('http://localhost:4000/cb?error=login_required'));
    // As Keycloak 26.7: `openid` in the scope makes redirect_uri required.
    await expectErrorPage('OpenID request without redirect_uri', 'Invalid parameter: redirect_uri', () => t.app.inject({ method: 'GET', url: query('good-default', 'openid') }));
  });

  it('keeps custom schemes for native apps, matched as written and only by their own registration', () => {
    const native = (redirectUris: string[]): Client => ({ ...clientDefaults(), id: 'n', realmId: 'r', clientId: 'native', redirectUris });
    const app = native(['com.example.app:/oauth2redirect', 'myapp://callback/*']);
    for (const good of ['com.example.app:/oauth2redirect', 'myapp://callback/x?y=1', 'myapp://callback/%0d%0a', 'myapp://callback/x#f']) assert.equal(verifyRedirectUri(app, good), good);
    for (const bad of [
      'COM.example.app:/oauth2redirect',
      'com.example.app:/oauth2redirect\\..',
      'myapp://callback/../x',
      'myapp://user@callback/x',
      'com.example.app:/oauth2redirect#f',
      'myapp://callback/\u00e9',
      'myapp://callback/ x',
      'otherapp://callback/x',
    ]) {
      assert.equal(verifyRedirectUri(app, bad), undefined, bad);
    }
    // A bare `*` stands for any http(s) URI, never for an app's scheme (as in Keycloak).
    const anything = native(['*']);
    assert.equal(verifyRedirectUri(anything, 'https://any.example/cb'), 'https://any.example/cb');
    assert.equal(verifyRedirectUri(anything, 'myapp://callback/'), undefined);
    assert.equal(verifyRedirectUri(native(['javascript:*']), 'javascript:alert(1)'), undefined);
  });

  it("resolves relative URIs against ${authAdminUrl} / ${authBaseUrl} (the built-in consoles') and against holdfast's own URL, never another host", () => {
    const console = (rootUrl: string | undefined): Client => ({ ...clientDefaults(), id: 'c', realmId: 'r', clientId: 'security-admin-console', rootUrl, redirectUris: ['/admin/master/console/*'] });
    const base = 'https://id.example';
    for (const root of ['${authAdminUrl}', '${authBaseUrl}', undefined]) {
      const client = console(root);
      assert.equal(verifyRedirectUri(client, `${base}/admin/master/console/#/demo`, client.redirectUris, base), `${base}/admin/master/console/#/demo`, String(root));
      assert.equal(verifyRedirectUri(client, 'https://evil.example/admin/master/console/', client.redirectUris, base), undefined, String(root));
      assert.equal(verifyRedirectUri(client, `${base}/admin/master/other/`, client.redirectUris, base), undefined, String(root));
      // Without the request's base URL a relative URI matches nothing.
      assert.equal(verifyRedirectUri(client, `${base}/admin/master/console/`), undefined, String(root));
    }
    const fixed = console('https://app.example/');
    assert.equal(verifyRedirectUri(fixed, 'https://app.example/admin/master/console/x', fixed.redirectUris, base), 'https://app.example/admin/master/console/x');
  });
});

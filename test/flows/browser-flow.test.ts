/**
 * The browser side of the authorization endpoint, through `app.inject()` with a manual clock:
 * SSO cookies and their attributes, `prompt=none|login`, `max_age`, response modes, the login
 * form's CSRF defence (session_code + AUTH_SESSION_ID), an expired login restarting, and
 * remember-me making the SSO cookies persistent.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { DEMO, decodeJwt, form, testApp, type TestApp } from '../support/app.ts';
import { InjectJar } from '../support/inject-browser.ts';

const VERIFIER = randomBytes(32).toString('base64url');
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const REDIRECT = 'http://localhost:3000/cb';

describe('browser flow', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  const authorize = async (jar: InjectJar, extra: Record<string, string> = {}) => {
    const query = new URLSearchParams({ client_id: 'demo-app', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: 'st', nonce: 'nn', code_challenge: CHALLENGE, code_challenge_method: 'S256', ...extra });
    const response = await t.app.inject({ method: 'GET', url: `${DEMO}/auth?${query}`, headers: { cookie: jar.header() } });
    jar.store(response);
    return response;
  };
  const action = (html: string) => {
    const raw = html.match(/id="kc-form-login" method="post" action="([^"]+)"/)![1];
    const url = new URL(raw.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))));
    return url.pathname + url.search;
  };
  const submit = async (jar: InjectJar, url: string, fields: Record<string, string>) => {
    const response = await t.app.inject({ method: 'POST', url, ...form(fields), headers: { ...form(fields).headers, cookie: jar.header() } });
    jar.store(response);
    return response;
  };
  const login = async (jar: InjectJar, extra: Record<string, string> = {}, fields: Record<string, string> = {}) => {
    const page = await authorize(jar, extra);
    assert.equal(page.statusCode, 200);
    return submit(jar, action(page.body), { username: 'alice', password: 'alice', ...fields });
  };

  it('logs in through the form, sets SSO cookies, and reuses them for the next request', async () => {
    const jar = new InjectJar();
    const page = await authorize(jar);
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.body, /<form id="kc-form-login"/);
    assert.match(page.body, /name="username"/);
    assert.match(page.body, /name="password"/);
    assert.match(page.body, /name="rememberMe"/);
    const authSession = jar.cookies.get('AUTH_SESSION_ID')!;
    assert.equal(authSession.attributes.httpOnly, true);
    assert.equal(authSession.attributes.path, '/realms/demo/');

    const wrong = await submit(jar, action(page.body), { username: 'alice', password: 'nope' });
    assert.equal(wrong.statusCode, 200);
    assert.match(wrong.body, /id="input-error"[^>]*>Invalid username or password\./);
    // The page that failed is spent: its session_code cannot be posted again.
    const replay = await submit(jar, action(page.body), { username: 'alice', password: 'alice' });
    assert.equal(replay.statusCode, 200);
    assert.match(replay.body, /Page has expired/);

    const done = await submit(jar, action(replay.body), { username: 'alice', password: 'alice' });
    assert.equal(done.statusCode, 302);
    const location = new URL(done.headers.location as string);
    assert.equal(location.origin + location.pathname, REDIRECT);
    assert.equal(location.searchParams.get('state'), 'st');
    assert.equal(location.searchParams.get('iss'), 'http://localhost:80/realms/demo');
    const sid = location.searchParams.get('session_state')!;
    const identity = jar.cookies.get('KEYCLOAK_IDENTITY')!;
    assert.equal(identity.attributes.httpOnly, true);
    assert.equal(identity.attributes.maxAge, undefined);
    assert.equal(decodeJwt(identity.value).sid, sid);
    assert.equal(decodeJwt(identity.value).typ, 'Serialized-ID');
    const session = jar.cookies.get('KEYCLOAK_SESSION')!;
    assert.notEqual(session.attributes.httpOnly, true);
    assert.equal(session.value, createHash('sha256').update(sid).digest('base64url'));

    const code = location.searchParams.get('code')!;
    const tokens = await t.app.inject({
      method: 'POST',
      url: `${DEMO}/token`,
      ...form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'demo-app', code_verifier: VERIFIER }),
    });
    assert.equal(tokens.statusCode, 200, tokens.body);
    assert.equal(decodeJwt(tokens.json().id_token).nonce, 'nn');
    assert.equal(decodeJwt(tokens.json().access_token).acr, '1');

    const sso = await authorize(jar);
    assert.equal(sso.statusCode, 302);
    const ssoLocation = new URL(sso.headers.location as string);
    assert.equal(ssoLocation.searchParams.get('session_state'), sid);
    const ssoTokens = await t.app.inject({
      method: 'POST',
      url: `${DEMO}/token`,
      ...form({ grant_type: 'authorization_code', code: ssoLocation.searchParams.get('code')!, redirect_uri: REDIRECT, client_id: 'demo-app', code_verifier: VERIFIER }),
    });
    assert.equal(decodeJwt(ssoTokens.json().access_token).acr, '0');

    const forced = await authorize(jar, { prompt: 'login' });
    assert.equal(forced.statusCode, 200);
    assert.match(forced.body, /kc-form-login/);

    t.clock.advanceSeconds(120);
    const stale = await authorize(jar, { max_age: '60' });
    assert.equal(stale.statusCode, 200);
    const fresh = await authorize(jar, { max_age: '600' });
    assert.equal(fresh.statusCode, 302);
  });

  it('answers prompt=none without a session with login_required', async () => {
    const none = await authorize(new InjectJar(), { prompt: 'none', response_mode: 'fragment' });
    assert.equal(none.statusCode, 302);
    const location = new URL(none.headers.location as string);
    const params = new URLSearchParams(location.hash.slice(1));
    assert.equal(params.get('error'), 'login_required');
    assert.equal(params.get('state'), 'st');
  });

  it('delivers codes by fragment and by form_post', async () => {
    const fragment = await login(new InjectJar(), { response_mode: 'fragment' });
    assert.match(new URL(fragment.headers.location as string).hash, /code=/);
    const posted = await login(new InjectJar(), { response_mode: 'form_post' });
    assert.equal(posted.statusCode, 200);
    assert.match(posted.body, /<form method="post" action="http:&#47;&#47;localhost:3000&#47;cb">/);
    assert.match(posted.body, /name="code" value="[^"]+"/);
  });

  it('refuses a login form posted without the browser cookie or with a forged session code', async () => {
    const jar = new InjectJar();
    const page = await authorize(jar);
    const url = action(page.body);
    const noCookie = await t.app.inject({ method: 'POST', url, ...form({ username: 'alice', password: 'alice' }) });
    assert.equal(noCookie.statusCode, 400);
    assert.match(noCookie.body, /Cookie not found/);
    const forged = await submit(jar, url.replace(/session_code=[^&]+/, 'session_code=forged'), { username: 'alice', password: 'alice' });
    assert.equal(forged.statusCode, 200);
    assert.equal(forged.headers.location, undefined);
    assert.match(forged.body, /Page has expired/);
  });

  it('restarts a login whose authentication session expired', async () => {
    const jar = new InjectJar();
    const page = await authorize(jar);
    t.clock.advanceSeconds(1801);
    const late = await submit(jar, action(page.body), { username: 'alice', password: 'alice' });
    assert.equal(late.statusCode, 200);
    assert.match(late.body, /Your login attempt timed out\. Login will start from the beginning\./);
    const done = await submit(jar, action(late.body), { username: 'alice', password: 'alice' });
    assert.equal(done.statusCode, 302);
    assert.equal(new URL(done.headers.location as string).searchParams.get('state'), 'st');
  });

  it('makes SSO cookies persistent with remember-me', async () => {
    const jar = new InjectJar();
    const done = await login(jar, {}, { rememberMe: 'on' });
    assert.equal(done.statusCode, 302);
    assert.ok((jar.cookies.get('KEYCLOAK_IDENTITY')!.attributes.maxAge as number) > 0);
    assert.ok((jar.cookies.get('KEYCLOAK_SESSION')!.attributes.maxAge as number) > 0);
  });

  it('serves the iframes keycloak-js loads and checks the status iframe origin', async () => {
    for (const page of ['3p-cookies/step1.html', '3p-cookies/step2.html', 'login-status-iframe.html']) {
      const response = await t.app.inject({ method: 'GET', url: `${DEMO}/${page}` });
      assert.equal(response.statusCode, 200, page);
      assert.match(response.body, /<script>/);
    }
    const allowed = await t.app.inject({ method: 'GET', url: `${DEMO}/login-status-iframe.html/init?client_id=demo-app&origin=${encodeURIComponent('http://localhost:3000')}` });
    assert.equal(allowed.statusCode, 204);
    const denied = await t.app.inject({ method: 'GET', url: `${DEMO}/login-status-iframe.html/init?client_id=demo-app&origin=${encodeURIComponent('http://evil.example')}` });
    assert.equal(denied.statusCode, 403);
    // holdfast's own origin is accepted for any client, as Keycloak does: the account console has no web origins.
    const own = await t.app.inject({ method: 'GET', url: `${DEMO}/login-status-iframe.html/init?client_id=account-console&origin=${encodeURIComponent('http://localhost:8080')}`, headers: { host: 'localhost:8080' } });
    assert.equal(own.statusCode, 204);
    const foreign = await t.app.inject({ method: 'GET', url: `${DEMO}/login-status-iframe.html/init?client_id=account-console&origin=${encodeURIComponent('http://localhost:3000')}` });
    assert.equal(foreign.statusCode, 403);
  });
});

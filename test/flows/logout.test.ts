/**
 * Logout in both of Keycloak's forms: RP-initiated (GET/POST with `id_token_hint`,
 * `post_logout_redirect_uri`, `client_id`, `state`, and a confirmation page when the request
 * cannot prove which session it means) and refresh-token logout (POST → 204).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, form, testApp, type TestApp } from '../support/app.ts';

const SERVICE = { client_id: 'demo-service', client_secret: 'demo-service-secret' };

describe('logout', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  /** A browser session for alice: its cookies and the tokens from its code. */
  async function browserSession() {
    const query = new URLSearchParams({ client_id: 'demo-service', redirect_uri: 'http://localhost:3000/cb', response_type: 'code', scope: 'openid' });
    const page = await t.app.inject({ method: 'GET', url: `${DEMO}/auth?${query}` });
    const cookies = page.cookies.map((c) => `${c.name}=${c.value}`);
    const action = new URL(page.body.match(/action="([^"]+)"/)![1].replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))));
    const done = await t.app.inject({ method: 'POST', url: action.pathname + action.search, ...form({ username: 'alice', password: 'alice' }), headers: { ...form({}).headers, cookie: cookies.join('; ') } });
    const cookie = [...cookies, ...done.cookies.filter((c) => c.value !== '').map((c) => `${c.name}=${c.value}`)].join('; ');
    const code = new URL(done.headers.location as string).searchParams.get('code')!;
    const tokens = (await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'authorization_code', code, redirect_uri: 'http://localhost:3000/cb', ...SERVICE }) })).json();
    return { cookie, tokens };
  }
  const refreshStatus = async (refreshToken: string) =>
    (await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'refresh_token', refresh_token: refreshToken, ...SERVICE }) })).json();

  it('logs out at once with a matching id_token_hint and redirects with state', async () => {
    const { cookie, tokens } = await browserSession();
    const query = new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://localhost:3000/bye', state: 's 1' });
    const response = await t.app.inject({ method: 'GET', url: `${DEMO}/logout?${query}`, headers: { cookie } });
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, 'http://localhost:3000/bye?state=s%201');
    assert.ok(response.cookies.some((c) => c.name === 'KEYCLOAK_IDENTITY' && c.value === ''));
    assert.deepEqual(await refreshStatus(tokens.refresh_token), { error: 'invalid_grant', error_description: 'Session not active' });
  });

  it('asks for confirmation when there is no hint, and logs out on confirm', async () => {
    const { cookie, tokens } = await browserSession();
    const page = await t.app.inject({ method: 'GET', url: `${DEMO}/logout?client_id=demo-service&post_logout_redirect_uri=${encodeURIComponent('http://localhost:3000/bye')}`, headers: { cookie } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Do you want to log out\?/);
    assert.equal((await refreshStatus(tokens.refresh_token)).error, undefined, 'still logged in before confirming');
    const code = page.body.match(/name="session_code" value="([^"]+)"/)![1];
    const forged = await t.app.inject({ method: 'POST', url: '/realms/demo/login-actions/logout-confirm', ...form({ session_code: code + 'x' }), headers: { ...form({}).headers, cookie } });
    assert.equal(forged.statusCode, 400);
    const confirmed = await t.app.inject({ method: 'POST', url: '/realms/demo/login-actions/logout-confirm', ...form({ session_code: code }), headers: { ...form({}).headers, cookie } });
    assert.equal(confirmed.statusCode, 302);
    assert.equal(confirmed.headers.location, 'http://localhost:3000/bye');
    assert.equal((await refreshStatus(tokens.refresh_token)).error_description, 'Session not active');
  });

  it('refuses bad logout requests with an error page', async () => {
    const { tokens } = await browserSession();
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ redirect_uri: 'http://localhost:3000/' }, /Invalid parameter: redirect_uri/],
      [{ post_logout_redirect_uri: 'http://localhost:3000/' }, /Missing parameter: id_token_hint/],
      [{ id_token_hint: 'garbage' }, /Invalid parameter: id_token_hint/],
      [{ id_token_hint: tokens.access_token }, /Invalid parameter: id_token_hint/],
      [{ id_token_hint: tokens.id_token, client_id: 'demo-app' }, /Invalid parameter: id_token_hint/],
      [{ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://evil.example/' }, /Invalid redirect uri/],
    ];
    for (const [params, message] of cases) {
      const response = await t.app.inject({ method: 'GET', url: `${DEMO}/logout?${new URLSearchParams(params)}` });
      assert.equal(response.statusCode, 400, JSON.stringify(params));
      assert.match(response.body, message);
      assert.equal(response.headers.location, undefined);
    }
    assert.equal((await refreshStatus(tokens.refresh_token)).error, undefined, 'no bad request logged the session out');
  });

  it('shows the logged-out page when there is nothing to log out', async () => {
    const response = await t.app.inject({ method: 'GET', url: `${DEMO}/logout` });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /You are logged out/);
  });

  it('logs out with a refresh token (204), also when it has expired, and answers Keycloak errors', async () => {
    const issued = (await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'password', username: 'alice', password: 'alice', ...SERVICE }) })).json();
    const logout = (fields: Record<string, string>) => t.app.inject({ method: 'POST', url: `${DEMO}/logout`, ...form(fields) });
    const missing = await logout({ refresh_token: '', ...SERVICE });
    assert.deepEqual(missing.json(), { error: 'invalid_request', error_description: 'No refresh token' });
    const wrongClient = await logout({ refresh_token: issued.refresh_token, client_id: 'demo-app' });
    assert.equal(wrongClient.statusCode, 400);
    assert.equal(wrongClient.json().error, 'invalid_grant');
    const ok = await logout({ refresh_token: issued.refresh_token, ...SERVICE });
    assert.equal(ok.statusCode, 204);
    assert.equal(ok.body, '');
    assert.equal((await refreshStatus(issued.refresh_token)).error_description, 'Session not active');
  });
});

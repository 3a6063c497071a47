/**
 * Where RP-initiated logout may send the browser, as Keycloak 26 decides it: a client created
 * with only `redirectUris` (no `post.logout.redirect.uris`) gets `+` semantics, so keycloak-js's
 * logout back to the app works; `-` first means none; a redirect with a fragment keeps it, with
 * `state` in the query before it. Also Keycloak's refusal of fragments in registered redirect URIs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, testApp, type TestApp } from '../support/app.ts';
import { InjectJar, adminHeaders, injectLogin, serverErrors } from '../support/inject-browser.ts';

describe('post-logout redirect URIs', () => {
  let t: TestApp;
  let admin: { authorization: string };
  before(async () => {
    t = await testApp();
    admin = await adminHeaders(t);
  });
  after(async () => {
    assert.equal(await serverErrors(t), 0);
    await t.close();
  });

  const createClient = async (clientId: string, extra: Record<string, unknown> = {}) => {
    const created = await t.app.inject({ method: 'POST', url: '/admin/realms/demo/clients', headers: admin, payload: { clientId, publicClient: true, redirectUris: ['http://app.example/*'], webOrigins: ['+'], ...extra } });
    assert.equal(created.statusCode, 201, created.body);
  };
  const logout = (clientId: string, redirect: string, extra: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: `${DEMO}/logout?${new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: redirect, ...extra })}` });

  it('treats a client without post.logout.redirect.uris as "+", and stores none for it (as Keycloak)', async () => {
    await createClient('plain-spa');
    const [client] = (await t.app.inject({ method: 'GET', url: '/admin/realms/demo/clients?clientId=plain-spa', headers: admin })).json();
    assert.equal(client.attributes['post.logout.redirect.uris'], undefined);
    const ok = await logout('plain-spa', 'http://app.example/bye');
    assert.equal(ok.statusCode, 302);
    assert.equal(ok.headers.location, 'http://app.example/bye');
    const refused = await logout('plain-spa', 'http://other.example/bye');
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Invalid redirect uri/);
  });

  it('logs a session of such a client out with its ID token and returns to the app', async () => {
    await createClient('spa-with-session');
    const jar = new InjectJar();
    const query = new URLSearchParams({ client_id: 'spa-with-session', redirect_uri: 'http://app.example/', response_type: 'code', scope: 'openid', state: 's' });
    const done = await injectLogin(t, jar, `${DEMO}/auth?${query}`);
    const code = new URL(done.headers.location as string).searchParams.get('code')!;
    const tokens = (
      await t.app.inject({
        method: 'POST',
        url: `${DEMO}/token`,
        payload: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'spa-with-session', code, redirect_uri: 'http://app.example/' }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
    ).json();
    const out = await t.app.inject({
      method: 'GET',
      url: `${DEMO}/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://app.example/#section=x' })}`,
      headers: { cookie: jar.header() },
    });
    assert.equal(out.statusCode, 302, out.body);
    assert.equal(out.headers.location, 'http://app.example/#section=x');
    assert.ok(out.cookies.some((c) => c.name === 'KEYCLOAK_IDENTITY' && c.value === ''));
  });

  it('reads the attribute as Keycloak does: empty is "+", "-" first is none, "+" mixes with URIs', async () => {
    const cases: Array<[string, string[], string[]]> = [
      ['', ['http://app.example/bye'], ['http://other.example/bye']],
      ['-', [], ['http://app.example/bye', 'http://other.example/bye']],
      ['-##http://other.example/bye', [], ['http://app.example/bye', 'http://other.example/bye']],
      ['http://other.example/bye', ['http://other.example/bye'], ['http://app.example/bye']],
      ['http://other.example/bye##+', ['http://app.example/bye', 'http://other.example/bye'], []],
    ];
    for (const [index, [attribute, allowed, refused]] of cases.entries()) {
      const clientId = `logout-case-${index}`;
      await createClient(clientId, { attributes: { 'post.logout.redirect.uris': attribute } });
      for (const uri of allowed) assert.equal((await logout(clientId, uri)).statusCode, 302, `${attribute}: ${uri}`);
      for (const uri of refused) assert.equal((await logout(clientId, uri)).statusCode, 400, `${attribute}: ${uri}`);
    }
  });

  it('puts state in the query, before the fragment of the redirect', async () => {
    await createClient('fragment-spa');
    const plain = await logout('fragment-spa', 'http://app.example/#section=x', { state: 's1' });
    assert.equal(plain.headers.location, 'http://app.example/?state=s1#section=x');
    const withQuery = await logout('fragment-spa', 'http://app.example/?a=1#section=x', { state: 's1' });
    assert.equal(withQuery.headers.location, 'http://app.example/?a=1&state=s1#section=x');
  });

  it("refuses a registered redirect URI with a fragment with Keycloak's body, on create and update", async () => {
    const body = { error: 'invalid_input', error_description: 'A redirect URI must not contain an URL fragment' };
    const created = await t.app.inject({ method: 'POST', url: '/admin/realms/demo/clients', headers: admin, payload: { clientId: 'frag', redirectUris: ['http://app.example/cb#x'] } });
    assert.equal(created.statusCode, 400);
    assert.deepEqual(created.json(), body);
    await createClient('frag-later');
    const [client] = (await t.app.inject({ method: 'GET', url: '/admin/realms/demo/clients?clientId=frag-later', headers: admin })).json();
    const updated = await t.app.inject({ method: 'PUT', url: `/admin/realms/demo/clients/${client.id}`, headers: admin, payload: { ...client, redirectUris: ['http://app.example/*', 'http://app.example/#*'] } });
    assert.equal(updated.statusCode, 400);
    assert.deepEqual(updated.json(), body);
  });
});

/**
 * The implicit and hybrid flows (`implicitFlowEnabled`) and the rest of the authorization
 * endpoint's Keycloak answers, through `app.inject` with a cookie jar: every response type with
 * its tokens and hashes, Keycloak's errors and their response modes, redirect URIs with a
 * fragment, prompt=none / create and the interaction_required cases, kc_action, and acr requests
 * with `acr.loa.map`. Expected values were read from Keycloak 26.7.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { DEMO, decodeJwt, form, testApp, type TestApp } from '../support/app.ts';
import { InjectJar, adminHeaders, injectLogin, serverErrors } from '../support/inject-browser.ts';

const REDIRECT = 'http://app.example/cb';
const ISSUER = 'http://localhost:80/realms/demo';
const IMPLICIT_DISABLED = 'Client is not allowed to initiate browser login with given response_type. Implicit flow is disabled for the client.';
const STANDARD_DISABLED = 'Client is not allowed to initiate browser login with given response_type. Standard flow is disabled for the client.';

/** OIDC's at_hash / c_hash / s_hash for RS256: the left half of the SHA-256, base64url. */
const halfHash = (value: string) => createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url');

function responseOf(response: LightMyRequestResponse): { where: 'query' | 'fragment'; params: Record<string, string>; location: string } {
  assert.equal(response.statusCode, 302, response.body.slice(0, 300));
  const location = response.headers.location as string;
  const url = new URL(location);
  const where = url.hash ? 'fragment' : 'query';
  const params = Object.fromEntries(new URLSearchParams(where === 'fragment' ? url.hash.slice(1) : url.search));
  return { where, params, location };
}

describe('implicit and hybrid flows', () => {
  let t: TestApp;
  let admin: { authorization: string };
  before(async () => {
    t = await testApp();
    admin = await adminHeaders(t);
    const clients = [
      { clientId: 'spa', publicClient: true, implicitFlowEnabled: true, redirectUris: ['http://app.example/*'], webOrigins: ['+'] },
      { clientId: 'spa-pkce', publicClient: true, implicitFlowEnabled: true, redirectUris: ['http://app.example/*'], attributes: { 'pkce.code.challenge.method': 'S256' } },
      { clientId: 'implicit-only', publicClient: true, standardFlowEnabled: false, implicitFlowEnabled: true, redirectUris: ['http://app.example/*'] },
      { clientId: 'code-only', publicClient: true, redirectUris: ['http://app.example/*'] },
      { clientId: 'asks-consent', publicClient: true, consentRequired: true, implicitFlowEnabled: true, redirectUris: ['http://app.example/*'] },
    ];
    for (const client of clients) {
      const created = await t.app.inject({ method: 'POST', url: '/admin/realms/demo/clients', headers: admin, payload: client });
      assert.equal(created.statusCode, 201, created.body);
    }
  });
  after(async () => {
    assert.equal(await serverErrors(t), 0);
    await t.close();
  });

  const authorizeUrl = (query: Record<string, string>) => `${DEMO}/auth?${new URLSearchParams({ client_id: 'spa', redirect_uri: REDIRECT, scope: 'openid', state: 'st', ...query })}`;
  const authorize = async (jar: InjectJar, query: Record<string, string>) => {
    const response = await t.app.inject({ method: 'GET', url: authorizeUrl(query), headers: { cookie: jar.header() } });
    jar.store(response);
    return response;
  };

  it('answers every response type with exactly its tokens, hashes and lifespan, in the fragment', async () => {
    const cases: Array<[string, { code: boolean; idToken: boolean; accessToken: boolean; expiresIn?: string }]> = [
      ['token', { code: false, idToken: false, accessToken: true, expiresIn: '900' }],
      ['id_token', { code: false, idToken: true, accessToken: false }],
      ['id_token token', { code: false, idToken: true, accessToken: true, expiresIn: '900' }],
      ['code id_token', { code: true, idToken: true, accessToken: false }],
      ['code token', { code: true, idToken: false, accessToken: true, expiresIn: '300' }],
      ['code id_token token', { code: true, idToken: true, accessToken: true, expiresIn: '300' }],
    ];
    for (const [responseType, expected] of cases) {
      const { where, params } = responseOf(await injectLogin(t, new InjectJar(), authorizeUrl({ response_type: responseType, nonce: 'n-1' })));
      assert.equal(where, 'fragment', responseType);
      const names = Object.keys(params);
      const wanted = ['state', 'session_state', 'iss', ...(expected.code ? ['code'] : []), ...(expected.idToken ? ['id_token'] : []), ...(expected.accessToken ? ['access_token', 'token_type', 'expires_in'] : [])];
      assert.deepEqual(names, wanted, responseType);
      assert.equal(params.state, 'st');
      assert.equal(params.iss, ISSUER);
      if (expected.accessToken) {
        assert.equal(params.token_type, 'Bearer');
        assert.equal(params.expires_in, expected.expiresIn, responseType);
        const access = decodeJwt(params.access_token);
        assert.equal(access.azp, 'spa');
        assert.equal(access.sid, params.session_state);
        assert.match(access.jti, /^onrtna:/);
        assert.equal(access.exp - access.iat, Number(expected.expiresIn));
        const userinfo = await t.app.inject({ method: 'GET', url: `${DEMO}/userinfo`, headers: { authorization: `Bearer ${params.access_token}` } });
        assert.equal(userinfo.json().preferred_username, 'alice', responseType);
      }
      if (expected.idToken) {
        const id = decodeJwt(params.id_token);
        assert.equal(id.nonce, 'n-1');
        assert.equal(id.aud, 'spa');
        assert.equal(id.typ, 'ID');
        assert.equal(id.acr, '1');
        assert.equal(id.s_hash, halfHash('st'));
        assert.equal(id.at_hash, expected.accessToken ? halfHash(params.access_token) : undefined, responseType);
        assert.equal(id.c_hash, expected.code ? halfHash(params.code) : undefined, responseType);
        assert.equal(id.preferred_username, 'alice');
      }
      if (expected.code) {
        const redeemed = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'authorization_code', client_id: 'spa', code: params.code, redirect_uri: REDIRECT }) });
        assert.equal(redeemed.statusCode, 200, redeemed.body);
        assert.ok(redeemed.json().refresh_token, 'the code of a hybrid flow gets a refresh token at the token endpoint');
        assert.equal(redeemed.json().expires_in, 300);
      }
    }
  });

  it('uses accessTokenLifespanForImplicitFlow for the implicit flow only', async () => {
    const updated = await t.app.inject({ method: 'PUT', url: '/admin/realms/demo', headers: admin, payload: { accessTokenLifespanForImplicitFlow: 120 } });
    assert.equal(updated.statusCode, 204, updated.body);
    try {
      const jar = new InjectJar();
      const implicit = responseOf(await injectLogin(t, jar, authorizeUrl({ response_type: 'token' })));
      assert.equal(implicit.params.expires_in, '120');
      const hybrid = responseOf(await authorize(jar, { response_type: 'code token' }));
      assert.equal(hybrid.params.expires_in, '300');
    } finally {
      await t.app.inject({ method: 'PUT', url: '/admin/realms/demo', headers: admin, payload: { accessTokenLifespanForImplicitFlow: 900 } });
    }
  });

  it('completes implicit requests from the SSO cookie, and prompt=none without one says login_required in the fragment', async () => {
    const jar = new InjectJar();
    responseOf(await injectLogin(t, jar, authorizeUrl({ response_type: 'code' })));
    const silent = responseOf(await authorize(jar, { response_type: 'id_token token', nonce: 'n-2', prompt: 'none' }));
    assert.equal(decodeJwt(silent.params.id_token).acr, '0');
    assert.equal(decodeJwt(silent.params.id_token).nonce, 'n-2');
    const none = responseOf(await authorize(new InjectJar(), { response_type: 'id_token token', nonce: 'n-2', prompt: 'none' }));
    assert.deepEqual([none.where, none.params], ['fragment', { error: 'login_required', state: 'st', iss: ISSUER }]);
  });

  it("answers Keycloak's errors in Keycloak's response modes", async () => {
    const jar = new InjectJar();
    const cases: Array<[Record<string, string>, 'query' | 'fragment', string, string | undefined]> = [
      [{ client_id: 'code-only', response_type: 'token' }, 'fragment', 'unauthorized_client', IMPLICIT_DISABLED],
      [{ client_id: 'code-only', response_type: 'code id_token', nonce: 'n' }, 'fragment', 'unauthorized_client', IMPLICIT_DISABLED],
      [{ client_id: 'implicit-only', response_type: 'code' }, 'query', 'unauthorized_client', STANDARD_DISABLED],
      [{ client_id: 'implicit-only', response_type: 'none' }, 'query', 'unauthorized_client', STANDARD_DISABLED],
      [{ client_id: 'implicit-only', response_type: 'code token' }, 'fragment', 'unauthorized_client', STANDARD_DISABLED],
      [{ response_type: 'token', response_mode: 'query' }, 'query', 'invalid_request', "Response_mode 'query' not allowed for implicit or hybrid flow"],
      [{ response_type: 'id_token' }, 'fragment', 'invalid_request', 'Missing parameter: nonce'],
      [{ response_type: 'id_token token' }, 'fragment', 'invalid_request', 'Missing parameter: nonce'],
      [{ response_type: 'code id_token' }, 'fragment', 'invalid_request', 'Missing parameter: nonce'],
      [{ response_type: 'code id_token token' }, 'fragment', 'invalid_request', 'Missing parameter: nonce'],
      [{ response_type: 'magic' }, 'query', 'unsupported_response_type', undefined],
      [{ response_type: 'none code' }, 'query', 'unsupported_response_type', undefined],
      [{ response_type: 'code  token' }, 'query', 'unsupported_response_type', undefined],
      [{ response_type: 'CODE' }, 'query', 'unsupported_response_type', undefined],
      [{ response_type: 'magic', response_mode: 'fragment' }, 'fragment', 'unsupported_response_type', undefined],
      [{ response_type: 'token', response_mode: 'jwt' }, 'query', 'invalid_request', 'Invalid parameter: response_mode'],
      [{ response_type: '', response_mode: 'fragment' }, 'fragment', 'unsupported_response_type', undefined],
      [{}, 'query', 'invalid_request', 'Missing parameter: response_type'],
      [{ client_id: 'spa-pkce', response_type: 'code id_token', nonce: 'n' }, 'fragment', 'invalid_request', 'Missing parameter: code_challenge_method'],
    ];
    for (const [query, where, error, description] of cases) {
      const answer = responseOf(await authorize(jar, query));
      const label = JSON.stringify(query);
      assert.equal(answer.where, where, label);
      assert.deepEqual(answer.params, { error, ...(description ? { error_description: description } : {}), state: 'st', iss: ISSUER }, label);
    }
  });

  it('needs no nonce for a plain OAuth token request and no PKCE for the implicit flow', async () => {
    const jar = new InjectJar();
    const oauth = responseOf(await injectLogin(t, jar, authorizeUrl({ response_type: 'token', scope: 'profile' })));
    assert.ok(oauth.params.access_token);
    const implicit = responseOf(await authorize(jar, { client_id: 'spa-pkce', response_type: 'id_token token', nonce: 'n' }));
    assert.ok(implicit.params.id_token && implicit.params.access_token);
  });

  it('answers response_type=none with state, session_state and iss only, and form_post with hidden inputs', async () => {
    const jar = new InjectJar();
    const none = responseOf(await injectLogin(t, jar, authorizeUrl({ response_type: 'none' })));
    assert.deepEqual([none.where, Object.keys(none.params)], ['query', ['state', 'session_state', 'iss']]);
    const posted = await authorize(jar, { response_type: 'id_token token', nonce: 'n', response_mode: 'form_post' });
    assert.equal(posted.statusCode, 200);
    const inputs = [...posted.body.matchAll(/<input type="hidden" name="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(inputs, ['state', 'session_state', 'iss', 'id_token', 'access_token', 'token_type', 'expires_in']);
  });

  it('keeps the fragment of a redirect URI: query before it, response parameters after it', async () => {
    const jar = new InjectJar();
    const app = 'http://app.example/#section=x';
    const code = await injectLogin(t, jar, authorizeUrl({ client_id: 'code-only', response_type: 'code', redirect_uri: app, response_mode: 'fragment' }));
    const location = code.headers.location as string;
    assert.match(location, /^http:\/\/app\.example\/#section=x&state=st&session_state=[^&]+&iss=[^&]+&code=[^&]+$/);
    const redeemed = await t.app.inject({
      method: 'POST',
      url: `${DEMO}/token`,
      ...form({ grant_type: 'authorization_code', client_id: 'code-only', code: new URLSearchParams(new URL(location).hash.slice(1)).get('code')!, redirect_uri: app }),
    });
    assert.equal(redeemed.statusCode, 200, redeemed.body);
    const query = await authorize(jar, { client_id: 'code-only', response_type: 'code', redirect_uri: 'http://app.example/?a=b#section=x' });
    assert.match(query.headers.location as string, /^http:\/\/app\.example\/\?a=b&state=st&session_state=[^#]+&code=[^#]+#section=x$/);
    const empty = await authorize(jar, { client_id: 'code-only', response_type: 'code', redirect_uri: 'http://app.example/#', response_mode: 'fragment' });
    assert.match(empty.headers.location as string, /^http:\/\/app\.example\/#state=st&/);
    const exact = await t.app.inject({ method: 'GET', url: authorizeUrl({ client_id: 'demo-service', redirect_uri: 'http://localhost:3000/cb#x', response_type: 'code' }) });
    assert.equal(exact.statusCode, 200, 'under demo-service\'s wildcard a fragment passes');
  });

  it('answers prompt=create, prompt=none with login, kc_action, consent and required actions as Keycloak does', async () => {
    const create = await authorize(new InjectJar(), { response_type: 'code', prompt: 'create' });
    assert.equal(create.statusCode, 400);
    assert.match(create.body, /Registration not allowed/);

    const jar = new InjectJar();
    responseOf(await injectLogin(t, jar, authorizeUrl({ response_type: 'code' })));
    assert.equal(responseOf(await authorize(jar, { response_type: 'code', prompt: 'none login' })).params.error, 'login_required');
    // A client that needs no consent ignores prompt=consent (Keycloak does too).
    assert.ok(responseOf(await authorize(jar, { response_type: 'code', prompt: 'consent' })).params.code);
    // An action that is no enabled required action: the login completes with Keycloak's `error` status.
    const action = responseOf(await authorize(jar, { response_type: 'code', kc_action: 'NO_SUCH_ACTION' }));
    assert.deepEqual(Object.keys(action.params), ['state', 'session_state', 'iss', 'kc_action', 'kc_action_status', 'code']);
    assert.equal(action.params.kc_action_status, 'error');

    assert.equal(responseOf(await authorize(jar, { client_id: 'asks-consent', response_type: 'code', prompt: 'none' })).params.error, 'interaction_required');
    const consent = await authorize(jar, { client_id: 'asks-consent', response_type: 'code' });
    // Signed in already: straight to the consent screen (test/flows/consent.test.ts).
    assert.equal(consent.statusCode, 200);
    assert.match(consent.body, /<form id="kc-oauth"/);

    const alice = (await t.app.inject({ method: 'GET', url: '/admin/realms/demo/users?username=alice&exact=true', headers: admin })).json()[0];
    await t.app.inject({ method: 'PUT', url: `/admin/realms/demo/users/${alice.id}`, headers: admin, payload: { requiredActions: ['UPDATE_PROFILE'] } });
    try {
      assert.equal(responseOf(await authorize(jar, { response_type: 'code', prompt: 'none' })).params.error, 'interaction_required');
    } finally {
      await t.app.inject({ method: 'PUT', url: `/admin/realms/demo/users/${alice.id}`, headers: admin, payload: { requiredActions: [] } });
    }
  });

  it('maps acr requests through acr.loa.map, and an SSO cookie never meets one', async () => {
    const claims = (values: string[], essential: boolean) => JSON.stringify({ id_token: { acr: { essential, values } } });
    const acrOf = (response: LightMyRequestResponse) => decodeJwt(responseOf(response).params.id_token).acr;
    const jar = new InjectJar();
    assert.equal(acrOf(await injectLogin(t, jar, authorizeUrl({ response_type: 'id_token', nonce: 'n', acr_values: 'gold' }))), '1', 'without a map the level itself');

    const updated = await t.app.inject({ method: 'PUT', url: '/admin/realms/demo', headers: admin, payload: { attributes: { 'acr.loa.map': '{"silver":1,"gold":2}' } } });
    assert.equal(updated.statusCode, 204, updated.body);
    const discovery = (await t.app.inject({ method: 'GET', url: '/realms/demo/.well-known/openid-configuration' })).json();
    assert.deepEqual(discovery.acr_values_supported, ['silver', 'gold', '0', '1']);

    const fresh = new InjectJar();
    assert.equal(acrOf(await injectLogin(t, fresh, authorizeUrl({ response_type: 'id_token', nonce: 'n', acr_values: 'gold' }))), 'silver');
    // Any requested acr means a new login: with prompt=none that is login_required.
    assert.equal(responseOf(await authorize(fresh, { response_type: 'id_token', nonce: 'n', acr_values: 'silver', prompt: 'none' })).params.error, 'login_required');
    const again = await authorize(fresh, { response_type: 'id_token', nonce: 'n', claims: claims(['silver'], true) });
    assert.match(again.body, /id="kc-form-login"/);
    assert.equal(acrOf(await authorize(fresh, { response_type: 'id_token', nonce: 'n', prompt: 'none' })), '0');
    assert.equal(acrOf(await injectLogin(t, new InjectJar(), authorizeUrl({ response_type: 'id_token', nonce: 'n', acr_values: '1' }))), '1');
    assert.equal(acrOf(await injectLogin(t, new InjectJar(), authorizeUrl({ response_type: 'id_token', nonce: 'n', claims: claims(['gold', 'silver'], true) }))), 'silver');
    assert.equal(acrOf(await injectLogin(t, new InjectJar(), authorizeUrl({ response_type: 'id_token', nonce: 'n', claims: 'not json' }))), 'silver');

    const unmapped = await authorize(new InjectJar(), { response_type: 'id_token', nonce: 'n', claims: claims(['bronze'], true) });
    assert.equal(unmapped.statusCode, 400);
    assert.match(unmapped.body, /Invalid parameter: claims/);
  });

  it('advertises the response types and the implicit grant in discovery', async () => {
    const discovery = (await t.app.inject({ method: 'GET', url: '/realms/demo/.well-known/openid-configuration' })).json();
    assert.deepEqual(discovery.response_types_supported, ['code', 'none', 'id_token', 'token', 'id_token token', 'code id_token', 'code token', 'code id_token token']);
    assert.deepEqual(discovery.response_modes_supported, ['query', 'fragment', 'form_post']);
    assert.ok(discovery.grant_types_supported.includes('implicit'));
    assert.equal(discovery.claims_parameter_supported, true);
  });
});

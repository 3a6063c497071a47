/**
 * Pushed authorization requests (RFC 9126) and request objects (RFC 9101) against a listening
 * holdfast, with openid-client 6 as the relying party: PAR with a client secret and with
 * `private_key_jwt`, a signed request object in `request`, one fetched from a registered
 * `request_uri`, and PAR carrying a request object. Then what a client or an attacker could get
 * wrong, each with Keycloak 26's answer (checked against a real Keycloak 26.7): a replayed,
 * another client's, expired or unknown `request_uri`, an oversized or badly signed request object,
 * `alg: none`, the client's `request.object.*` and `require.pushed.authorization.requests`. A
 * pushed request is found by another node (PostgreSQL and Redis) and after a restart (SQLite).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import * as oidc from 'openid-client';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { buildApp, type Holdfast } from '../../src/app.ts';
import type { Clock } from '../../src/clock/index.ts';
import { testConfig } from '../../src/config/index.ts';
import { tempDir } from '../support/process.ts';
import { adminClient, startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { deleteRedisKeys } from '../support/redis-keys.ts';
import { newKeyEncryptionKeyText } from '../../src/crypto/index.ts';
import { CookieJar, formAction, get, loginThroughForm, postForm } from '../support/browser.ts';

const REALM = 'par-jar';
const REDIRECT_URI = 'http://localhost:3000/callback';
const SECRET = 'par-client-secret-of-32-characters';

describe('pushed authorization requests and request objects', () => {
  let holdfast: Holdfast;
  /** Real time (openid-client signs assertions with it), plus an offset the expiry test moves. */
  let offsetMs = 0;
  const clock: Clock = { nowMs: () => Date.now() + offsetMs };
  let dataDir: string;
  let url: string;
  let issuer: string;
  let parEndpoint: string;
  let privateKey: CryptoKey;
  let jwk: JWK;
  let requestObjectServer: http.Server;
  let servedRequestObject = '';
  let requestObjectUrl: string;

  const discover = (clientId: string, auth: oidc.ClientAuth, metadata: Partial<oidc.ClientMetadata> = {}) =>
    oidc.discovery(new URL(issuer), clientId, metadata, auth, { execute: [oidc.allowInsecureRequests] });

  const push = async (fields: Record<string, string>, basic?: [string, string]): Promise<{ status: number; body: any }> => {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (basic) headers.authorization = `Basic ${Buffer.from(`${basic[0]}:${basic[1]}`).toString('base64')}`;
    const response = await fetch(parEndpoint, { method: 'POST', headers, body: new URLSearchParams(fields) });
    return { status: response.status, body: await response.json().catch(() => undefined) };
  };
  const codeRequest = (extra: Record<string, string> = {}) => ({ response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid', state: 'st', nonce: 'nn', ...extra });
  const authUrl = (params: Record<string, string>) => `${issuer}/protocol/openid-connect/auth?${new URLSearchParams(params)}`;
  /** The page the browser gets from the authorization endpoint: its status and the error text. */
  const authPage = async (params: Record<string, string>) => {
    const response = await get(authUrl(params), new CookieJar());
    return { status: response.status, text: await response.text(), location: response.headers.get('location') };
  };
  const signed = (claims: Record<string, unknown>, alg = 'RS256', key: CryptoKey | Uint8Array = privateKey) => new SignJWT(claims).setProtectedHeader({ alg, kid: 'k1' }).sign(key);

  before(async () => {
    dataDir = tempDir('holdfast-par-');
    holdfast = await buildApp({ config: testConfig({ dataDir }), clock });
    await holdfast.app.listen({ port: 0, host: '127.0.0.1' });
    const address = holdfast.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    issuer = `${url}/realms/${REALM}`;
    parEndpoint = `${issuer}/protocol/openid-connect/ext/par/request`;

    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', use: 'sig', alg: 'RS256' };
    requestObjectServer = http.createServer((_request, response) => {
      response.setHeader('content-type', 'application/oauth-authz-req+jwt');
      response.end(servedRequestObject);
    });
    await new Promise<void>((resolve) => requestObjectServer.listen(0, '127.0.0.1', resolve));
    requestObjectUrl = `http://127.0.0.1:${(requestObjectServer.address() as { port: number }).port}/request.jwt`;

    const kc = new KcAdminClient({ baseUrl: url, realmName: 'master' });
    await kc.auth({ grantType: 'password', clientId: 'admin-cli', username: 'admin', password: 'admin' });
    await kc.realms.create({ realm: REALM, enabled: true });
    kc.setConfig({ realmName: REALM });
    await kc.users.create({ username: 'alice', email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell', enabled: true, credentials: [{ type: 'password', value: 'alice', temporary: false }] });
    const web = { redirectUris: [REDIRECT_URI], standardFlowEnabled: true, publicClient: false };
    const keyAttributes = { 'use.jwks.string': 'true', 'jwks.string': JSON.stringify({ keys: [jwk] }) };
    await kc.clients.create({ ...web, clientId: 'par-secret', secret: SECRET });
    await kc.clients.create({ ...web, clientId: 'other-secret', secret: SECRET });
    await kc.clients.create({ ...web, clientId: 'par-jwt', clientAuthenticatorType: 'client-jwt', attributes: { ...keyAttributes, 'pkce.code.challenge.method': 'S256' } });
    await kc.clients.create({ ...web, clientId: 'jar-client', secret: SECRET, attributes: { ...keyAttributes, 'request.uris': `${requestObjectUrl.replace('/request.jwt', '/*')}` } });
    await kc.clients.create({ ...web, clientId: 'jar-required', secret: SECRET, attributes: { ...keyAttributes, 'request.object.required': 'request only', 'request.object.signature.alg': 'RS256' } });
    await kc.clients.create({ ...web, clientId: 'jar-none', secret: SECRET, attributes: { 'request.object.signature.alg': 'none' } });
    await kc.clients.create({ ...web, clientId: 'jar-any', secret: SECRET, attributes: { ...keyAttributes, 'request.object.signature.alg': 'any' } });
    await kc.clients.create({ redirectUris: [REDIRECT_URI], standardFlowEnabled: true, publicClient: true, clientId: 'public' });
    await kc.clients.create({ ...web, clientId: 'par-required', secret: SECRET, attributes: { 'require.pushed.authorization.requests': 'true' } });
  });
  after(async () => {
    await holdfast.close();
    await new Promise((resolve) => requestObjectServer.close(resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('discovery advertises PAR and request objects as Keycloak does', async () => {
    const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    assert.equal(discovery.pushed_authorization_request_endpoint, parEndpoint);
    assert.equal(discovery.require_pushed_authorization_requests, false);
    assert.equal(discovery.request_parameter_supported, true);
    assert.equal(discovery.request_uri_parameter_supported, true);
    assert.ok(discovery.request_object_signing_alg_values_supported.includes('RS256'));
    assert.ok(discovery.request_object_signing_alg_values_supported.includes('none'));
  });

  /** Logs alice in at `authorizationUrl` and redeems the code; returns the ID token's claims. */
  async function loginAndRedeem(config: oidc.Configuration, authorizationUrl: URL | string, checks: { verifier?: string; state?: string; nonce?: string }) {
    const callback = await loginThroughForm(String(authorizationUrl), 'alice', 'alice');
    assert.equal(callback.origin + callback.pathname, REDIRECT_URI, callback.href);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: checks.verifier, expectedState: checks.state ?? oidc.skipStateCheck, expectedNonce: checks.nonce });
    return tokens.claims()!;
  }

  it('PAR with client_secret_basic through openid-client: 201, then login and code exchange', async () => {
    const config = await discover('par-secret', oidc.ClientSecretBasic(SECRET));
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const redirectTo = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    assert.deepEqual([...redirectTo.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    assert.match(redirectTo.searchParams.get('request_uri')!, /^urn:ietf:params:oauth:request_uri:/);
    const claims = await loginAndRedeem(config, redirectTo, { verifier, state, nonce });
    assert.equal(claims.azp, 'par-secret');
    assert.equal(claims.nonce, nonce);
  });

  it('PAR answers 201 with the realm lifespan (parRequestUriLifespan, default 60)', async () => {
    const pushed = await push({ client_id: 'par-secret', client_secret: SECRET, ...codeRequest() });
    assert.equal(pushed.status, 201);
    assert.equal(pushed.body.expires_in, 60);
    assert.deepEqual(Object.keys(pushed.body).sort(), ['expires_in', 'request_uri']);
    const kc = new KcAdminClient({ baseUrl: url, realmName: 'master' });
    await kc.auth({ grantType: 'password', clientId: 'admin-cli', username: 'admin', password: 'admin' });
    await kc.realms.update({ realm: REALM }, { attributes: { parRequestUriLifespan: '30' } });
    try {
      assert.equal((await push({ client_id: 'par-secret', client_secret: SECRET, ...codeRequest() })).body.expires_in, 30);
    } finally {
      await kc.realms.update({ realm: REALM }, { attributes: { parRequestUriLifespan: '60' } });
    }
  });

  it('PAR with private_key_jwt (and the client PKCE rule checked at push time)', async () => {
    const config = await discover('par-jwt', oidc.PrivateKeyJwt({ key: privateKey, kid: 'k1' }));
    const withoutPkce = await oidc.buildAuthorizationUrlWithPAR(config, { redirect_uri: REDIRECT_URI, scope: 'openid' }).catch((error) => error);
    assert.ok(withoutPkce instanceof oidc.ResponseBodyError);
    assert.equal(withoutPkce.error, 'invalid_request');
    assert.equal(withoutPkce.error_description, 'Missing parameter: code_challenge_method');
    const verifier = oidc.randomPKCECodeVerifier();
    const redirectTo = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const claims = await loginAndRedeem(config, redirectTo, { verifier });
    assert.equal(claims.azp, 'par-jwt');
  });

  it('a signed request object (JAR) through openid-client, and its values win over the query', async () => {
    const config = await discover('jar-client', oidc.ClientSecretBasic(SECRET));
    const nonce = oidc.randomNonce();
    const redirectTo = await oidc.buildAuthorizationUrlWithJAR(config, { redirect_uri: REDIRECT_URI, scope: 'openid', nonce, state: 'from-object' }, privateKey);
    assert.ok(redirectTo.searchParams.get('request'));
    redirectTo.searchParams.set('state', 'from-query');
    redirectTo.searchParams.set('nonce', 'from-query');
    const callback = await loginThroughForm(redirectTo.href, 'alice', 'alice');
    assert.equal(callback.searchParams.get('state'), 'from-object');
    const tokens = await oidc.authorizationCodeGrant(config, callback, { expectedState: 'from-object', expectedNonce: nonce });
    assert.equal(tokens.claims()!.nonce, nonce);
  });

  it('a request object fetched from a registered request_uri', async () => {
    const config = await discover('jar-client', oidc.ClientSecretBasic(SECRET));
    servedRequestObject = await signed({ client_id: 'jar-client', ...codeRequest({ state: 'fetched' }) });
    const callback = await loginThroughForm(authUrl({ client_id: 'jar-client', request_uri: requestObjectUrl }), 'alice', 'alice');
    assert.equal(callback.searchParams.get('state'), 'fetched');
    await oidc.authorizationCodeGrant(config, callback, { expectedState: 'fetched', expectedNonce: 'nn' });
    // An unregistered request_uri is never fetched.
    const unregistered = await authPage({ client_id: 'par-secret', request_uri: requestObjectUrl });
    assert.equal(unregistered.status, 400);
    assert.match(unregistered.text, /Invalid Request/);
  });

  it('an OpenID request with scope but no response_type in the query reads no request object, as Keycloak', async () => {
    const request = await signed({ client_id: 'jar-client', ...codeRequest() });
    const withRedirect = await authPage({ client_id: 'jar-client', scope: 'openid', redirect_uri: REDIRECT_URI, request });
    const location = new URL(withRedirect.location!);
    assert.equal(location.searchParams.get('error_description'), 'Missing parameter: response_type');
    assert.equal(location.searchParams.get('state'), null);
    // Not an OpenID request by its query: the request object is read.
    assert.equal((await authPage({ client_id: 'jar-client', scope: 'profile', request })).status, 200);
  });

  it('PAR carrying a request object: only the request object counts', async () => {
    const request = await signed({ client_id: 'jar-client', ...codeRequest({ state: 'pushed-object' }) });
    const pushed = await push({ client_id: 'jar-client', client_secret: SECRET, request, state: 'pushed-form' });
    assert.equal(pushed.status, 201, JSON.stringify(pushed.body));
    const callback = await loginThroughForm(authUrl({ client_id: 'jar-client', request_uri: pushed.body.request_uri, state: 'query' }), 'alice', 'alice');
    assert.equal(callback.searchParams.get('state'), 'pushed-object');
  });

  it('a request_uri serves one login of its own client: reloads work until a login completes with it', async () => {
    const pushed = await push({ client_id: 'par-secret', client_secret: SECRET, ...codeRequest() });
    const requestUri = pushed.body.request_uri;
    // Another client is refused, and spends nothing.
    const stolen = await authPage({ client_id: 'other-secret', request_uri: requestUri });
    assert.equal(stolen.status, 400);
    assert.match(stolen.text, /Invalid Request/);
    // Two browsers open the login with it (as Keycloak, a reload reads it again); the first to log in spends it.
    const [first, second] = [new CookieJar(), new CookieJar()];
    const pages = await Promise.all([first, second].map(async (jar) => (await get(authUrl({ client_id: 'par-secret', request_uri: requestUri }), jar)).text()));
    const login = (html: string, jar: CookieJar) => postForm(formAction(html), { username: 'alice', password: 'alice', credentialId: '' }, jar);
    const completed = await login(pages[0], first);
    assert.equal(completed.status, 302);
    assert.ok(new URL(completed.headers.get('location')!).searchParams.get('code'));
    const raced = await login(pages[1], second);
    assert.equal(raced.status, 400);
    assert.match(await raced.text(), /Invalid Request/);
    const replayed = await authPage({ client_id: 'par-secret', request_uri: requestUri });
    assert.equal(replayed.status, 400);
    assert.match(replayed.text, /Invalid Request/);
    const unknown = await authPage({ client_id: 'par-secret', request_uri: 'urn:ietf:params:oauth:request_uri:nope' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /Invalid Request/);
  });

  it('an expired request_uri is refused', async () => {
    const pushed = await push({ client_id: 'par-secret', client_secret: SECRET, ...codeRequest() });
    offsetMs = 61_000;
    try {
      const expired = await authPage({ client_id: 'par-secret', request_uri: pushed.body.request_uri });
      assert.equal(expired.status, 400);
      assert.match(expired.text, /Invalid Request/);
    } finally {
      offsetMs = 0;
    }
  });

  it('require.pushed.authorization.requests refuses a plain authorization request at the redirect URI', async () => {
    const plain = await authPage({ client_id: 'par-required', ...codeRequest() });
    assert.equal(plain.status, 302);
    const location = new URL(plain.location!);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.equal(location.searchParams.get('error_description'), 'Pushed Authorization Request is only allowed.');
    assert.equal(location.searchParams.get('state'), 'st');
    const pushed = await push({ client_id: 'par-required', client_secret: SECRET, ...codeRequest() });
    const viaPar = await authPage({ client_id: 'par-required', request_uri: pushed.body.request_uri });
    assert.equal(viaPar.status, 200);
  });

  it('request objects with a wrong signature, the wrong client, alg none or too large are refused', async () => {
    const { privateKey: strangerKey } = await generateKeyPair('RS256');
    const refused = async (params: Record<string, string>) => {
      const page = await authPage(params);
      assert.equal(page.status, 400, JSON.stringify(params).slice(0, 200));
      return page.text;
    };
    assert.match(await refused({ client_id: 'jar-client', request: await signed({ client_id: 'jar-client', ...codeRequest() }, 'RS256', strangerKey) }), /Invalid Request/);
    assert.match(await refused({ client_id: 'jar-client', request: await signed({ client_id: 'par-secret', ...codeRequest() }) }), /Invalid Request/);
    assert.match(await refused({ client_id: 'jar-client', request: await signed({ client_id: 'jar-client', ...codeRequest(), max_age: 'soon' }) }), /Invalid Request/);
    assert.match(await refused({ client_id: 'jar-client', request: 'not-a-jwt' }), /Invalid Request/);
    assert.match(await refused({ client_id: 'jar-client', request: await signed({ client_id: 'jar-client', ...codeRequest(), request_uri: 'https://x' }) }), /Invalid Request/);
    const oversized = await postForm(`${issuer}/protocol/openid-connect/auth`, { client_id: 'jar-client', request: 'a'.repeat(20001) }, new CookieJar());
    assert.equal(oversized.status, 400);
    assert.match(await oversized.text(), /The size of OIDC parameter (&#39;|')request(&#39;|') is longer than allowed/);
    assert.match(await refused({ client_id: 'jar-client', request: 'x', request_uri: requestObjectUrl }), /Invalid Request/);
    // Malformed objects and URIs of every kind: the same page, never a 500.
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const request of ['a.b.c', `${b64([])}.${b64({})}.`, `${b64({ alg: 'RS256' })}.${b64(null)}.x`, `${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`, `${b64({ alg: 'HS999' })}.${b64({})}.x`, '...']) {
      assert.match(await refused({ client_id: 'jar-client', request }), /Invalid Request/, request);
    }
    for (const requestUri of ['javascript:alert(1)', 'file:///etc/passwd', 'http://127.0.0.1:9/unregistered', `urn:ietf:params:oauth:request_uri:${'x'.repeat(3000)}`, 'urn:ietf:params:oauth:request_uri:']) {
      assert.match(await refused({ client_id: 'jar-client', request_uri: requestUri }), /Invalid Request/, requestUri);
    }
    // HS256 with the client secret is a valid signature, as in Keycloak.
    const hs = await signed({ client_id: 'jar-client', ...codeRequest() }, 'HS256', new TextEncoder().encode(SECRET));
    assert.equal((await authPage({ client_id: 'jar-client', request: hs })).status, 200);
  });

  it('alg none as Keycloak: taken when request.object.signature.alg is unset or none, refused otherwise; request.object.required', async () => {
    const unsigned = (clientId: string) => new UnsecuredJWT({ client_id: clientId, ...codeRequest() }).encode();
    assert.equal((await authPage({ client_id: 'jar-none', request: unsigned('jar-none') })).status, 200);
    assert.equal((await authPage({ client_id: 'jar-client', request: unsigned('jar-client') })).status, 200);
    // A request object need not name the client (Keycloak 26.7 takes one without client_id).
    assert.equal((await authPage({ client_id: 'jar-client', request: new UnsecuredJWT(codeRequest()).encode() })).status, 200);
    // `any` is, as Keycloak reads it, an algorithm name: nothing matches it.
    assert.equal((await authPage({ client_id: 'jar-any', request: unsigned('jar-any') })).status, 400);
    assert.equal((await authPage({ client_id: 'jar-any', request: await signed({ client_id: 'jar-any', ...codeRequest() }) })).status, 400);
    // A client set to none takes no signed object.
    assert.equal((await authPage({ client_id: 'jar-none', request: await signed({ client_id: 'jar-none', ...codeRequest() }, 'HS256', new TextEncoder().encode(SECRET)) })).status, 400);
    assert.equal((await authPage({ client_id: 'jar-required', ...codeRequest() })).status, 400);
    assert.equal((await authPage({ client_id: 'jar-required', request: await signed({ client_id: 'jar-required', ...codeRequest() }) })).status, 200);
    const hs = await signed({ client_id: 'jar-required', ...codeRequest() }, 'HS256', new TextEncoder().encode(SECRET));
    assert.equal((await authPage({ client_id: 'jar-required', request: hs })).status, 400);
  });

  it('records PUSHED_AUTHORIZATION_REQUEST_ERROR events when the realm saves them (a success records none, as in Keycloak)', async () => {
    const kc = new KcAdminClient({ baseUrl: url, realmName: 'master' });
    await kc.auth({ grantType: 'password', clientId: 'admin-cli', username: 'admin', password: 'admin' });
    await kc.realms.updateConfigEvents({ realm: REALM }, { eventsEnabled: true, enabledEventTypes: ['PUSHED_AUTHORIZATION_REQUEST', 'PUSHED_AUTHORIZATION_REQUEST_ERROR'] });
    assert.equal((await push({ client_id: 'par-secret', client_secret: SECRET, ...codeRequest() })).status, 201);
    assert.equal((await push({ client_id: 'par-secret', client_secret: SECRET, ...codeRequest({ scope: 'openid nonexistent' }) })).status, 400);
    await holdfast.ctx.events.writer.flush();
    const events = await kc.realms.findEvents({ realm: REALM });
    const types = events.map((event) => `${event.type} ${event.clientId} ${event.error ?? ''}`.trim()).sort();
    assert.deepEqual(types, ['PUSHED_AUTHORIZATION_REQUEST_ERROR par-secret invalid_request']);
    await kc.realms.updateConfigEvents({ realm: REALM }, { eventsEnabled: false });
  });

  it('the PAR endpoint refuses bad pushes with Keycloak 26 errors', async () => {
    const auth = { client_id: 'par-secret', client_secret: SECRET };
    assert.deepEqual(await push({ client_id: 'par-secret', client_secret: 'wrong', ...codeRequest() }), { status: 401, body: { error: 'invalid_request', error_description: 'Authentication failed.' } });
    assert.deepEqual(await push({ ...auth, ...codeRequest(), request_uri: 'urn:ietf:params:oauth:request_uri:x' }), { status: 400, body: { error: 'invalid_request', error_description: 'It is not allowed to include request_uri to PAR.' } });
    assert.deepEqual(await push({ ...auth, ...codeRequest({ redirect_uri: 'https://evil.example/' }) }), { status: 400, body: { error: 'invalid_request', error_description: 'Invalid parameter: redirect_uri' } });
    assert.deepEqual(await push({ ...auth, ...codeRequest({ response_type: 'bogus' }) }), { status: 400, body: { error: 'invalid_request', error_description: 'Unsupported response type' } });
    assert.deepEqual(await push({ ...auth, ...codeRequest({ scope: 'openid nonexistent' }) }), { status: 400, body: { error: 'invalid_request', error_description: 'Invalid scopes: openid nonexistent' } });
    assert.deepEqual(await push({ ...auth, ...codeRequest({ response_type: 'token' }) }), {
      status: 401,
      body: { error: 'unauthorized_client', error_description: 'Client is not allowed to initiate browser login with given response_type. Implicit flow is disabled for the client.' },
    });
    assert.deepEqual(await push({ ...auth, ...codeRequest({ state: 'x'.repeat(4001) }) }), { status: 400, body: { error: 'invalid_request', error_description: "The size of OIDC parameter 'state' is longer than allowed." } });
    // Keycloak answers a refused request object with its message key, not a message.
    const badObject = await push({ client_id: 'jar-client', client_secret: SECRET, request: await signed({ client_id: 'par-secret', ...codeRequest() }) });
    assert.deepEqual(badObject, { status: 400, body: { error: 'invalid_request_object', error_description: 'invalidRequestMessage' } });
    for (const request of ['a.b.c', 'x', '', await signed({ client_id: 'jar-client', ...codeRequest(), request_uri: 'x' })]) {
      assert.deepEqual(await push({ client_id: 'jar-client', client_secret: SECRET, request }), { status: 400, body: { error: 'invalid_request_object', error_description: 'invalidRequestMessage' } }, request);
    }
    assert.deepEqual(await push({ client_id: 'jar-required', client_secret: SECRET, ...codeRequest() }), { status: 400, body: { error: 'invalid_request', error_description: 'invalidRequestMessage' } });
    assert.deepEqual(await push({ ...auth, ...codeRequest({ max_age: 'abc' }) }), { status: 400, body: { error: 'invalid_request', error_description: 'invalidRequestMessage' } });
    assert.deepEqual(await push({ ...auth, ...codeRequest({ response_mode: 'bogus' }) }), { status: 400, body: { error: 'invalid_request', error_description: 'Invalid parameter: response_mode' } });
    assert.deepEqual(await push({ ...auth, redirect_uri: REDIRECT_URI, scope: 'openid' }), { status: 400, body: { error: 'invalid_request', error_description: 'Missing parameter: response_type' } });
    assert.deepEqual(await push({ ...auth, ...codeRequest({ code_challenge: 'short' }) }), { status: 400, body: { error: 'invalid_request', error_description: 'Invalid parameter: code_challenge' } });
    // A public client pushes with its client_id alone, as in Keycloak.
    assert.equal((await push({ client_id: 'public', ...codeRequest() })).status, 201);
    const oversized = await fetch(parEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...auth, ...codeRequest(), junk: 'x'.repeat(70_000) }) });
    assert.equal(oversized.status, 413);
    assert.equal((await oversized.json()).error, 'invalid_request');
  });
});

describe('a pushed request is durable: another node, another store, a restart', () => {
  const redisPrefix = `holdfast-test:par-jar:${process.pid}:`;
  let database: FreshDatabase;
  let nodes: AdminServer[] = [];

  before(async () => {
    database = await freshDatabase();
    // One public URL for both, as behind a load balancer; sessions (and pushed requests) in Redis.
    const kek = { variable: 'HOLDFAST_KEK', value: newKeyEncryptionKeyText() };
    const shared = { db: 'postgres' as const, dbUrl: database.url, hostname: 'http://idp.test', kek, sessions: 'redis' as const, sessionsUrl: 'redis://127.0.0.1:6379', sessionsKeyPrefix: redisPrefix };
    nodes = [await startAdminServer(shared), await startAdminServer(shared)];
    const kc = await adminClient(nodes[0].url);
    await kc.realms.create({ realm: REALM, enabled: true });
    kc.setConfig({ realmName: REALM });
    await kc.users.create({ username: 'alice', enabled: true, email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell', credentials: [{ type: 'password', value: 'alice', temporary: false }] });
    await kc.clients.create({ clientId: 'par-secret', redirectUris: [REDIRECT_URI], publicClient: false, secret: SECRET });
  });
  after(async () => {
    for (const node of nodes) await node.close();
    await database.drop();
    await deleteRedisKeys('redis://127.0.0.1:6379', redisPrefix);
  });

  const onNode = (node: AdminServer, url: string) => url.replace('http://idp.test', node.url);
  const push = async (node: AdminServer) => {
    const response = await fetch(`${node.url}/realms/${REALM}/protocol/openid-connect/ext/par/request`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: 'par-secret', client_secret: SECRET, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid', state: 'st' }),
    });
    assert.equal(response.status, 201);
    return ((await response.json()) as { request_uri: string }).request_uri;
  };
  const authUrl = (node: AdminServer, requestUri: string) => `${node.url}/realms/${REALM}/protocol/openid-connect/auth?${new URLSearchParams({ client_id: 'par-secret', request_uri: requestUri })}`;

  it('pushed on one node, logged in with on the other, then refused on the first', async () => {
    const requestUri = await push(nodes[0]);
    const jar = new CookieJar();
    const page = await get(authUrl(nodes[1], requestUri), jar);
    assert.equal(page.status, 200);
    const done = await postForm(onNode(nodes[1], formAction(await page.text())), { username: 'alice', password: 'alice', credentialId: '' }, jar);
    assert.equal(done.status, 302);
    const callback = new URL(done.headers.get('location')!);
    assert.equal(callback.searchParams.get('state'), 'st');
    assert.ok(callback.searchParams.get('code'));
    const replayed = await get(authUrl(nodes[0], requestUri), new CookieJar());
    assert.equal(replayed.status, 400);
  });
});

describe('a pushed request survives a restart (SQLite)', () => {
  it('is found by the restarted process', async () => {
    const dataDir = tempDir('holdfast-par-restart-');
    let server = await startAdminServer({ dataDir });
    try {
      const kc = await adminClient(server.url);
      await kc.realms.create({ realm: REALM, enabled: true });
      kc.setConfig({ realmName: REALM });
      await kc.clients.create({ clientId: 'par-secret', redirectUris: [REDIRECT_URI], publicClient: false, secret: SECRET });
      const pushed = await fetch(`${server.url}/realms/${REALM}/protocol/openid-connect/ext/par/request`, {
        method: 'POST',
        body: new URLSearchParams({ client_id: 'par-secret', client_secret: SECRET, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid' }),
      });
      const { request_uri: requestUri } = (await pushed.json()) as { request_uri: string };
      await server.close();
      server = await startAdminServer({ dataDir });
      const page = await get(`${server.url}/realms/${REALM}/protocol/openid-connect/auth?${new URLSearchParams({ client_id: 'par-secret', request_uri: requestUri })}`, new CookieJar());
      assert.equal(page.status, 200);
      assert.match(await page.text(), /kc-form-login/);
    } finally {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

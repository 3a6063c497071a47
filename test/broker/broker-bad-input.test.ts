/**
 * Bad input to the broker, each against a real upstream on a loopback port that is made to
 * misbehave (a small OpenID Connect stand-in whose token endpoint signs with its published key,
 * or not): wrong issuer, bad signature, expired ID token, wrong nonce, a reused state, an unknown
 * alias, a callback without a login in progress, `error=access_denied`, and an upstream that
 * never answers. Each gets Keycloak's error page (or, for a denied login, the login page again),
 * creates and links nothing, and records an IDENTITY_PROVIDER_LOGIN_ERROR event.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import { exportJWK, SignJWT } from 'jose';
import type { KeyObject } from 'node:crypto';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { get } from '../support/browser.ts';
import { adminClient, startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { Browser, appAuthorization, socialLink } from './broker-support.ts';

type Mode = 'good' | 'wrong-issuer' | 'bad-signature' | 'expired' | 'wrong-nonce' | 'hang';

/** The stand-in upstream: its token endpoint answers an ID token for the nonce of the last authorization request. */
class MisbehavingUpstream {
  mode: Mode = 'good';
  nonce = '';
  url = '';
  private server = http.createServer((request, response) => void this.answer(request, response));
  private key!: KeyObject;
  private otherKey!: KeyObject;
  private jwk!: Record<string, unknown>;
  private hanging: http.ServerResponse[] = [];

  async start(): Promise<void> {
    this.key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    this.otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    this.jwk = { ...(await exportJWK(createPublicKey(this.key))), kid: 'k1', alg: 'RS256', use: 'sig' };
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  private async answer(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', this.url).pathname;
    if (path === '/jwks') return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [this.jwk] }));
    if (path !== '/token') return void response.writeHead(404).end();
    for await (const _ of request);
    if (this.mode === 'hang') {
      this.hanging.push(response);
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const idToken = await new SignJWT({ nonce: this.mode === 'wrong-nonce' ? 'other-nonce' : this.nonce, preferred_username: `eve-${this.mode}`, email: `eve-${this.mode}@example.com`, given_name: 'Eve', family_name: 'Mallory' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(this.mode === 'wrong-issuer' ? 'https://evil.example' : this.url)
      .setAudience('holdfast')
      .setSubject(`eve-${this.mode}`)
      .setIssuedAt(this.mode === 'expired' ? now - 7200 : now)
      .setExpirationTime(this.mode === 'expired' ? now - 3600 : now + 300)
      .sign(this.mode === 'bad-signature' ? this.otherKey : this.key);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'at', token_type: 'Bearer', id_token: idToken }));
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    this.server.close();
  }
}

describe('broker bad input', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  const upstream = new MisbehavingUpstream();

  before(async () => {
    await upstream.start();
    server = await startAdminServer();
    const master = await adminClient(server.url);
    await master.realms.create({ realm: 'brokered', enabled: true, eventsEnabled: true });
    kc = await adminClient(server.url, {}, 'brokered');
    await kc.realms.updateConfigEvents({ realm: 'brokered' }, { eventsEnabled: true });
    await kc.clients.create({ clientId: 'app', publicClient: true, standardFlowEnabled: true, redirectUris: ['http://app.example/callback'] });
    await kc.identityProviders.create({
      alias: 'upstream',
      providerId: 'oidc',
      displayName: 'Upstream',
      config: { clientId: 'holdfast', clientSecret: 's', authorizationUrl: `${upstream.url}/auth`, tokenUrl: `${upstream.url}/token`, jwksUrl: `${upstream.url}/jwks`, issuer: upstream.url, validateSignature: 'true', useJwksUrl: 'true', syncMode: 'IMPORT' },
    });
  });
  after(async () => {
    await server.close();
    await upstream.stop();
  });

  /** A login sent upstream: the browser and the state the broker gave the upstream. */
  async function sentUpstream(): Promise<{ browser: Browser; state: string }> {
    const browser = new Browser();
    const html = await (await get(appAuthorization(server.url).url, browser.down)).text();
    const redirect = await get(socialLink(html, 'upstream'), browser.down);
    const target = new URL(redirect.headers.get('location')!);
    upstream.nonce = target.searchParams.get('nonce')!;
    return { browser, state: target.searchParams.get('state')! };
  }

  const callback = (browser: Browser, query: Record<string, string>, alias = 'upstream') => get(`${server.url}/realms/brokered/broker/${alias}/endpoint?${new URLSearchParams(query)}`, browser.down);

  async function lastErrors(): Promise<Array<string | undefined>> {
    await server.holdfast.ctx.events.writer.flush();
    return (await kc.realms.findEvents({ realm: 'brokered', type: ['IDENTITY_PROVIDER_LOGIN_ERROR' as never], max: 1 })).map((e) => e.error);
  }

  async function nobodyCreated(): Promise<void> {
    assert.deepEqual((await kc.users.find({ search: 'eve' })).map((u) => u.username), []);
  }

  for (const [mode, text] of [
    ['wrong-issuer', 'Invalid response from identity provider.'],
    ['bad-signature', 'Invalid signature in response from identity provider.'],
    ['expired', 'Invalid response from identity provider.'],
    ['wrong-nonce', 'Invalid response from identity provider.'],
  ] as const) {
    it(`refuses an ID token with ${mode} with a 502 error page, nothing created, an event`, async () => {
      const { browser, state } = await sentUpstream();
      upstream.mode = mode;
      const page = await callback(browser, { code: 'c', state });
      assert.equal(page.status, 502);
      assert.match(await page.text(), new RegExp(text.replace(/\./g, '\\.')));
      await nobodyCreated();
      assert.deepEqual(await lastErrors(), [mode === 'bad-signature' ? 'invalid_signature' : 'invalid_token']);
    });
  }

  it('a good answer logs in once; the same state again is refused (400), nothing more created', async () => {
    const { browser, state } = await sentUpstream();
    upstream.mode = 'good';
    const first = await callback(browser, { code: 'c', state });
    assert.equal(first.status, 302);
    assert.equal((await kc.users.find({ username: 'eve-good', exact: true })).length, 1);
    const again = await callback(browser, { code: 'c', state });
    assert.equal(again.status, 400);
    assert.match(await again.text(), /Your login attempt timed out/);
    assert.deepEqual(await lastErrors(), ['invalid_code']);
    assert.equal((await kc.users.find({ search: 'eve' })).length, 1);
    await kc.users.del({ id: (await kc.users.find({ username: 'eve-good', exact: true }))[0].id! });
  });

  it('refuses an unknown alias (404, as Keycloak 26.7), a missing state and a callback without a login in progress (400)', async () => {
    const { browser, state } = await sentUpstream();
    upstream.mode = 'good';
    const unknown = await callback(browser, { code: 'c', state }, 'nope');
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: 'Identity Provider [nope] not found.' });
    assert.deepEqual(await lastErrors(), ['identity_provider_not_found']);
    const missing = await callback(browser, { code: 'c' });
    assert.equal(missing.status, 400);
    assert.match(await missing.text(), /Missing state parameter/);
    // The state is good, but another browser (no AUTH_SESSION_ID of that login) brings it back.
    const stranger = await callback(new Browser(), { code: 'c', state });
    assert.equal(stranger.status, 400);
    const noLogin = await callback(new Browser(), { code: 'c', state: 'x'.repeat(43) });
    assert.equal(noLogin.status, 400);
    assert.deepEqual(await lastErrors(), ['invalid_code']);
    await nobodyCreated();
    assert.equal((await get(`${server.url}/realms/brokered/broker/nope/login?client_id=app&tab_id=x&session_code=y`, browser.down)).status, 400);
  });

  it('error=access_denied from the upstream shows the login page again, with an event', async () => {
    const { browser, state } = await sentUpstream();
    const page = await callback(browser, { error: 'access_denied', state });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /id="kc-form-login"/);
    assert.match(html, /Access denied when authenticating with /);
    assert.deepEqual(await lastErrors(), ['consent_denied']);
    await nobodyCreated();
  });

  it('another upstream error shows the login page with Keycloak\'s text; neither code nor error is a 400', async () => {
    let { browser, state } = await sentUpstream();
    const page = await callback(browser, { error: 'server_error', state });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /id="kc-form-login"/);
    assert.match(html, /Unexpected error when authenticating with identity provider/);
    assert.deepEqual(await lastErrors(), ['identity_provider_error']);
    ({ browser, state } = await sentUpstream());
    const bare = await callback(browser, { state });
    assert.equal(bare.status, 400);
    assert.match(await bare.text(), /Missing code or error parameter in response from identity provider\./);
    await nobodyCreated();
  });

  it('an upstream that never answers gives a 502 error page after the bounded timeout', async () => {
    const { browser, state } = await sentUpstream();
    upstream.mode = 'hang';
    const page = await callback(browser, { code: 'c', state });
    assert.equal(page.status, 502);
    assert.match(await page.text(), /Could not obtain token from identity provider/);
    assert.deepEqual(await lastErrors(), ['identity_provider_error']);
    await nobodyCreated();
  });
});

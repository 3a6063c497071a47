/**
 * Bad input to the broker against the real upstream (a second holdfast realm on the loopback
 * port), made to misbehave where needed by a proxy in front of its token endpoint: the code is
 * really redeemed there, and the proxy changes the answer before the broker sees it, re-signing
 * with the upstream realm's own key where the token must still verify. Wrong issuer, bad
 * signature, expired ID token, wrong nonce, a replayed ID token (a real one of an earlier login),
 * a reused state, an unknown alias, a callback without a login in progress, the upstream's
 * `access_denied` when the user denies consent there, another upstream error, and an upstream
 * that never answers. Each gets Keycloak's error page (or, for an upstream error, the login page
 * again), creates and links nothing, and records an IDENTITY_PROVIDER_LOGIN_ERROR event.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import { SignJWT } from 'jose';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { formAction, get, postForm } from '../support/browser.ts';
import { startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { signAsymmetric } from '../../src/crypto/index.ts';
import { Browser, anyFormAction, appAuthorization, providerConfig, setUpBrokerRealms, socialLink, upstreamLogin, type BrokerRealms } from './broker-support.ts';

type Mode = 'good' | 'wrong-issuer' | 'bad-signature' | 'expired' | 'wrong-nonce' | 'replayed' | 'hang';

const decode = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

/** In front of the real upstream's token endpoint: forwards the broker's request, then answers as `mode` says. */
class TamperingProxy {
  mode: Mode = 'good';
  url = '';
  /** The last ID token answered in `good` mode: what `replayed` answers again. */
  private lastGood?: string;
  private readonly otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  private hanging: http.ServerResponse[] = [];
  private server = http.createServer((request, response) => void this.answer(request, response));

  constructor(
    private readonly tokenUrl: () => string,
    /** Signs claims with the upstream realm's active key, as the upstream itself does. */
    private readonly resign: (claims: Record<string, unknown>) => Promise<string>,
  ) {}

  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  private async answer(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of request) body += chunk;
    if (this.mode === 'hang') {
      this.hanging.push(response);
      return;
    }
    const headers: Record<string, string> = { 'content-type': request.headers['content-type'] ?? 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (request.headers.authorization) headers.authorization = request.headers.authorization;
    const real = await fetch(this.tokenUrl(), { method: 'POST', headers, body });
    const tokens = await real.json();
    if (real.status === 200) tokens.id_token = await this.tamper(tokens.id_token);
    response.writeHead(real.status, { 'content-type': 'application/json' }).end(JSON.stringify(tokens));
  }

  private async tamper(idToken: string): Promise<string> {
    const claims = decode(idToken);
    const now = Math.floor(Date.now() / 1000);
    switch (this.mode) {
      case 'good':
        this.lastGood = idToken;
        return idToken;
      case 'wrong-issuer':
        return this.resign({ ...claims, iss: 'https://evil.example/realms/upstream' });
      case 'expired':
        return this.resign({ ...claims, iat: now - 7200, exp: now - 3600 });
      case 'wrong-nonce':
        return this.resign({ ...claims, nonce: 'another-login' });
      case 'replayed':
        assert.ok(this.lastGood, 'a good login came first');
        return this.lastGood;
      case 'bad-signature': {
        // The upstream's claims and key id, signed by a key that is not the upstream's.
        const header = JSON.parse(Buffer.from(idToken.split('.')[0], 'base64url').toString());
        return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: header.kid }).sign(this.otherKey);
      }
      default:
        return idToken;
    }
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    this.server.close();
  }
}

describe('broker bad input against the real upstream', () => {
  let server: AdminServer;
  let realms: BrokerRealms;
  let kc: KcAdminClient;
  const proxy = new TamperingProxy(
    () => `${server.url}/realms/upstream/protocol/openid-connect/token`,
    async (claims) => signAsymmetric(claims as never, (await server.holdfast.ctx.realms.getRealm('upstream'))!.keys),
  );

  before(async () => {
    await proxy.start();
    server = await startAdminServer();
    realms = await setUpBrokerRealms(server);
    kc = realms.brokeredAdmin;
    await kc.realms.updateConfigEvents({ realm: 'brokered' }, { eventsEnabled: true });
    const provider = await kc.identityProviders.findOne({ alias: 'upstream' });
    await kc.identityProviders.update({ alias: 'upstream' }, { ...provider, config: { ...providerConfig(server.url), guiOrder: '2', tokenUrl: `${proxy.url}/token` } });
  });
  after(async () => {
    await server.close();
    await proxy.stop();
  });

  /** A login signed in at the real upstream: the browser, and the upstream's redirect back to the broker (its real code and the state). */
  async function backFromUpstream(): Promise<{ browser: Browser; callback: string; state: string }> {
    const browser = new Browser();
    const html = await (await get(appAuthorization(server.url).url, browser.down)).text();
    const redirect = await get(socialLink(html, 'upstream'), browser.down);
    assert.equal(redirect.status, 302);
    const callback = await upstreamLogin(browser, redirect.headers.get('location')!);
    assert.ok(callback.startsWith(`${server.url}/realms/brokered/broker/upstream/endpoint?`), callback);
    return { browser, callback, state: new URL(callback).searchParams.get('state')! };
  }

  const callback = (browser: Browser, query: Record<string, string>, alias = 'upstream') => get(`${server.url}/realms/brokered/broker/${alias}/endpoint?${new URLSearchParams(query)}`, browser.down);

  async function lastErrors(): Promise<Array<string | undefined>> {
    return (await lastEvents()).map((e) => e.error);
  }

  async function lastEvents(): Promise<Array<{ error?: string; details?: Record<string, string> }>> {
    await server.holdfast.ctx.events.writer.flush();
    return kc.realms.findEvents({ realm: 'brokered', type: ['IDENTITY_PROVIDER_LOGIN_ERROR' as never], max: 1 });
  }

  async function nothingCreated(): Promise<void> {
    assert.deepEqual((await kc.users.find({ username: 'bob', exact: true })).map((u) => u.username), [], 'no local user');
    assert.deepEqual(await kc.users.find({ idpAlias: 'upstream' } as never), [], 'no link');
  }

  it('a good answer logs in once; the same state again is refused (400), nothing more created', async () => {
    proxy.mode = 'good';
    const { browser, callback: back } = await backFromUpstream();
    const first = await get(back, browser.down);
    assert.equal(first.status, 302, await first.clone().text());
    const [bob] = await kc.users.find({ username: 'bob', exact: true });
    assert.ok(bob);
    const again = await get(back, browser.down);
    assert.equal(again.status, 400);
    assert.match(await again.text(), /Your login attempt timed out/);
    assert.deepEqual(await lastErrors(), ['invalid_code']);
    assert.equal((await kc.users.find({ idpAlias: 'upstream' } as never)).length, 1);
    await kc.users.del({ id: bob.id! });
    await nothingCreated();
  });

  for (const [mode, text, error, reason] of [
    ['wrong-issuer', 'Invalid response from identity provider.', 'invalid_token', /issuer https:\/\/evil\.example/],
    ['bad-signature', 'Invalid signature in response from identity provider.', 'invalid_signature', /signature/],
    ['expired', 'Invalid response from identity provider.', 'invalid_token', /expired/],
    ['wrong-nonce', 'Invalid response from identity provider.', 'invalid_token', /nonce/],
    // A real, unexpired ID token of the earlier login: only its nonce tells it is not this login's.
    ['replayed', 'Invalid response from identity provider.', 'invalid_token', /nonce/],
  ] as const) {
    it(`refuses the upstream's ID token with ${mode} with a 502 error page, nothing created, an event`, async () => {
      const { browser, callback: back } = await backFromUpstream();
      proxy.mode = mode;
      try {
        const page = await get(back, browser.down);
        assert.equal(page.status, 502);
        assert.match(await page.text(), new RegExp(text.replace(/\./g, '\\.')));
      } finally {
        proxy.mode = 'good';
      }
      await nothingCreated();
      const [event] = await lastEvents();
      assert.equal(event.error, error);
      assert.match(event.details?.reason ?? '', reason);
    });
  }

  it('refuses an unknown alias (404, as Keycloak 26.7), a missing state and a callback without a login in progress (400)', async () => {
    const { browser, callback: back, state } = await backFromUpstream();
    const code = new URL(back).searchParams.get('code')!;
    const unknown = await callback(browser, { code, state }, 'nope');
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: 'Identity Provider [nope] not found.' });
    assert.deepEqual(await lastErrors(), ['identity_provider_not_found']);
    const missing = await callback(browser, { code });
    assert.equal(missing.status, 400);
    assert.match(await missing.text(), /Missing state parameter/);
    // The real code and state, but another browser (no AUTH_SESSION_ID of that login) brings them back.
    const stranger = await get(back, new Browser().down);
    assert.equal(stranger.status, 400);
    const noLogin = await callback(new Browser(), { code, state: 'x'.repeat(43) });
    assert.equal(noLogin.status, 400);
    assert.deepEqual(await lastErrors(), ['invalid_code']);
    await nothingCreated();
    assert.equal((await get(`${server.url}/realms/brokered/broker/nope/login?client_id=app&tab_id=x&session_code=y`, browser.down)).status, 400);
  });

  it('a user who denies consent at the upstream gets the login page again (access_denied), with an event', async () => {
    const broker = (await realms.upstreamAdmin.clients.find({ clientId: 'holdfast-broker' }))[0];
    await realms.upstreamAdmin.clients.update({ id: broker.id! }, { ...broker, consentRequired: true });
    try {
      const browser = new Browser();
      const html = await (await get(appAuthorization(server.url).url, browser.down)).text();
      const redirect = await get(socialLink(html, 'upstream'), browser.down);
      const loginPage = await get(redirect.headers.get('location')!, browser.up);
      const consent = await postForm(formAction(await loginPage.text()), { username: 'bob', password: 'bob-pw' }, browser.up);
      assert.equal(consent.status, 200, 'the upstream asks for consent');
      const denied = await postForm(anyFormAction(await consent.text()), { cancel: 'No' }, browser.up);
      assert.equal(denied.status, 302);
      const back = denied.headers.get('location')!;
      assert.equal(new URL(back).searchParams.get('error'), 'access_denied');
      const page = await get(back, browser.down);
      assert.equal(page.status, 200);
      const text = await page.text();
      assert.match(text, /id="kc-form-login"/);
      assert.match(text, /Access denied when authenticating with Upstream/);
      assert.deepEqual(await lastErrors(), ['consent_denied']);
      await nothingCreated();
    } finally {
      await realms.upstreamAdmin.clients.update({ id: broker.id! }, broker);
    }
  });

  it("another upstream error shows the login page with Keycloak's text; neither code nor error is a 400", async () => {
    let { browser, state } = await backFromUpstream();
    const page = await callback(browser, { error: 'server_error', state });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /id="kc-form-login"/);
    assert.match(html, /Unexpected error when authenticating with identity provider/);
    assert.deepEqual(await lastErrors(), ['identity_provider_error']);
    ({ browser, state } = await backFromUpstream());
    const bare = await callback(browser, { state });
    assert.equal(bare.status, 400);
    assert.match(await bare.text(), /Missing code or error parameter in response from identity provider\./);
    await nothingCreated();
  });

  it('an upstream token endpoint that never answers gives a 502 error page after the bounded timeout', async () => {
    const { browser, callback: back } = await backFromUpstream();
    proxy.mode = 'hang';
    try {
      const page = await get(back, browser.down);
      assert.equal(page.status, 502);
      assert.match(await page.text(), /Could not obtain token from identity provider/);
    } finally {
      proxy.mode = 'good';
    }
    assert.deepEqual(await lastErrors(), ['identity_provider_error']);
    await nothingCreated();
  });
});

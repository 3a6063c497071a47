/**
 * The real keycloak-js (npm `keycloak-js@26`, unmodified) in a real headless Chromium against a
 * holdfast process, with its default `init()` behaviour: the third-party-cookie check iframe, the
 * login-status iframe, silent check-sso (`prompt=none` in a hidden iframe), login-required,
 * PKCE S256, refresh, userinfo, `loadUserProfile()` (the account REST API) and logout; and, for clients created through the admin API, the
 * plain `init()` defaults, an app URL with a fragment, `flow: 'implicit'` allowed and refused,
 * `updateToken` once the access token has expired, and `register()` through the registration page.
 *
 * holdfast listens on 127.0.0.1; the app is served from another free loopback port, either on
 * 127.0.0.1 (the same site: ports do not make sites) or on localhost (another site, so holdfast's
 * cookies are third-party in the app's iframes, as with an app and an IdP on different domains).
 * Its client is added to the data directory before holdfast starts, so the test never needs the
 * demo client's fixed port 3000.
 *
 * Needs Debian's `chromium` at /usr/bin/chromium (override with CHROMIUM_PATH); without it the
 * suites are skipped with a message, except under CI=true where the file fails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { once } from 'node:events';
import { chromium, type Browser, type BrowserContext, type LaunchOptions, type Page } from 'playwright-core';
import { ROOT, freePort, startHoldfast, tempDir, type RunningHoldfast } from '../support/process.ts';
import { seedClient } from '../support/seed-client.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CLIENT_ID = 'keycloak-js-test';
const STEP_TIMEOUT = 20_000;
const KEYCLOAK_JS = path.join(ROOT, 'node_modules/keycloak-js/lib/keycloak.js');
const LAUNCH: LaunchOptions = {
  executablePath: CHROMIUM,
  headless: true,
  timeout: 60_000,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

const missing = !fs.existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM} (apt-get install chromium)` : undefined;
if (missing && process.env.CI === 'true') throw new Error(`keycloak-js browser test: ${missing}`);

/** What the app page exposes on `window`, as seen by the functions that `page.evaluate` runs there. */
interface AppWindow {
  kc: {
    authenticated?: boolean;
    token?: string;
    refreshToken?: string;
    idToken?: string;
    sessionId?: string;
    subject?: string;
    tokenParsed?: Record<string, unknown>;
    idTokenParsed?: Record<string, unknown>;
    login(options?: object): Promise<void>;
    register(options?: object): Promise<void>;
    logout(options?: object): Promise<void>;
    updateToken(minValidity: number): Promise<boolean>;
    isTokenExpired(minValidity?: number): boolean;
    loadUserInfo(): Promise<Record<string, unknown>>;
    loadUserProfile(): Promise<Record<string, unknown>>;
  };
  kcResult?: InitResult;
  kcEvents: string[];
  kcMessages: { origin: string; data: string }[];
}
declare const window: AppWindow;

interface InitResult {
  authenticated?: boolean;
  error?: string;
  /** Present when keycloak-js rejects with Keycloak's error object (`{error, error_description}`). */
  error_description?: string;
}

function appPage(holdfastUrl: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>keycloak-js test app</title></head>
<body>
<script>
  // Every string message the page receives (3p-cookie check, login-status iframe answers).
  window.kcMessages = [];
  window.addEventListener('message', function (event) {
    if (typeof event.data === 'string' && window.kcMessages.length < 1000) window.kcMessages.push({ origin: event.origin, data: event.data });
  });
</script>
<script type="module">
  import Keycloak from '/keycloak.js';
  // ?client= picks the client; ?defaults=1 calls init() with no options, ?flow= with only that one.
  const query = new URLSearchParams(location.search);
  const keycloak = new Keycloak({ url: ${JSON.stringify(holdfastUrl)}, realm: 'demo', clientId: query.get('client') || ${JSON.stringify(CLIENT_ID)} });
  window.kc = keycloak;
  window.kcEvents = [];
  for (const name of ['onReady', 'onAuthSuccess', 'onAuthError', 'onAuthRefreshSuccess', 'onAuthRefreshError', 'onAuthLogout', 'onTokenExpired']) {
    keycloak[name] = () => { window.kcEvents.push(name); console.log('kc-event ' + name); };
  }
  const onLoad = query.get('onLoad') || 'check-sso';
  const options = { onLoad, pkceMethod: 'S256', checkLoginIframeInterval: 1 };
  if (onLoad === 'check-sso') options.silentCheckSsoRedirectUri = location.origin + '/silent-check-sso.html';
  const initialized = query.get('defaults') ? keycloak.init() : query.get('flow') ? keycloak.init({ flow: query.get('flow') }) : keycloak.init(options);
  initialized.then(
    (authenticated) => { window.kcResult = { authenticated }; },
    (error) => {
      window.kcResult = { error: String((error && (error.message || error.error)) || error) };
      if (error && error.error_description) window.kcResult.error_description = error.error_description;
    },
  );
</script>
</body></html>`;
}

// As keycloak-js documents it for silentCheckSsoRedirectUri.
const SILENT_CHECK_SSO = `<!doctype html><html><body><script>parent.postMessage(location.href, location.origin)</script></body></html>`;

function startAppServer(port: number, holdfastUrl: string): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://app').pathname;
    const send = (type: string, body: string | Buffer) => response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    if (pathname === '/' || pathname === '/index.html') send('text/html; charset=utf-8', appPage(holdfastUrl));
    else if (pathname === '/silent-check-sso.html') send('text/html; charset=utf-8', SILENT_CHECK_SSO);
    else if (pathname === '/keycloak.js') send('text/javascript; charset=utf-8', fs.readFileSync(KEYCLOAK_JS));
    else response.writeHead(404).end();
  });
  server.listen(port, '127.0.0.1');
  return once(server, 'listening').then(() => server);
}

interface Seen {
  url: URL;
  method: string;
  postData: string | null;
  /** A navigation of a page's top frame (not an iframe, not a fetch). */
  topNavigation: boolean;
  status?: number;
  location?: string;
}

interface RigOptions {
  /** 127.0.0.1 = the same site as holdfast; localhost = another site. */
  appHost: '127.0.0.1' | 'localhost';
  /**
   * Whether Chromium keeps third-party cookies. Chrome's regular profiles do by default; this
   * headless Chromium's contexts do not, so "allowed" uses a profile that says so.
   */
  thirdPartyCookies: boolean;
}

/** One holdfast, one app server and one browser context, with every request they make recorded. */
class Rig {
  holdfast!: RunningHoldfast;
  context!: BrowserContext;
  page!: Page;
  appOrigin = '';
  oidc = '';
  readonly seen: Seen[] = [];
  readonly consoleLines: string[] = [];
  private appServer?: http.Server;
  private browser?: Browser;
  private persistent?: BrowserContext;
  private readonly dirs: string[] = [];

  async start({ appHost, thirdPartyCookies }: RigOptions): Promise<void> {
    const dataDir = tempDir('holdfast-keycloak-js-');
    this.dirs.push(dataDir);
    const appPort = await freePort();
    this.appOrigin = `http://${appHost}:${appPort}`;
    await seedClient(dataDir, 'demo', {
      clientId: CLIENT_ID,
      name: 'keycloak-js browser test',
      publicClient: true,
      redirectUris: [`${this.appOrigin}/*`],
      webOrigins: ['+'],
      // No post.logout.redirect.uris: absent means the redirect URIs, as in Keycloak.
      attributes: { 'pkce.code.challenge.method': 'S256' },
    });
    this.holdfast = await startHoldfast({ dataDir });
    this.oidc = `${this.holdfast.url}/realms/demo/protocol/openid-connect`;
    this.appServer = await startAppServer(appPort, this.holdfast.url);
    if (thirdPartyCookies) {
      const profile = tempDir('holdfast-chromium-');
      this.dirs.push(profile);
      fs.mkdirSync(path.join(profile, 'Default'));
      fs.writeFileSync(path.join(profile, 'Default/Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }));
      this.context = this.persistent = await chromium.launchPersistentContext(profile, LAUNCH);
    } else {
      this.browser = await chromium.launch(LAUNCH);
      this.context = await this.browser.newContext();
    }
    this.context.on('request', (request) => {
      let topNavigation = false;
      try {
        topNavigation = request.isNavigationRequest() && request.frame() === request.frame().page()?.mainFrame();
      } catch {
        // Requests without a frame (none expected here) are not navigations.
      }
      this.seen.push({ url: new URL(request.url()), method: request.method(), postData: request.postData(), topNavigation });
    });
    this.context.on('response', (response) => {
      for (let i = this.seen.length - 1; i >= 0; i--) {
        const entry = this.seen[i];
        if (entry.url.href !== response.url() || entry.status !== undefined) continue;
        entry.status = response.status();
        entry.location = response.headers()['location'];
        break;
      }
    });
    this.page = await this.context.newPage();
    this.page.on('console', (message) => this.consoleLines.push(message.text()));
    this.page.on('pageerror', (error) => this.consoleLines.push(`pageerror: ${error.message}`));
  }

  async stop(): Promise<void> {
    await this.persistent?.close().catch(() => undefined);
    await this.browser?.close().catch(() => undefined);
    if (this.appServer) {
      this.appServer.closeAllConnections();
      this.appServer.close();
    }
    const code = await this.holdfast?.stop();
    if (code !== undefined && code !== 0) console.error(`holdfast exited with ${code}:\n${this.holdfast.output()}`);
    for (const dir of this.dirs) fs.rmSync(dir, { recursive: true, force: true });
  }

  /** Requests seen since `from` (an index into `seen`) whose URL path ends with `suffix`. */
  requests(from: number, suffix: string): Seen[] {
    return this.seen.slice(from).filter((s) => s.url.pathname.endsWith(suffix));
  }

  /** Waits for the app's `init()` to settle, across the redirects it may make on the way. */
  async initResult(): Promise<InitResult> {
    await this.page.waitForFunction(() => window.kcResult !== undefined, undefined, { timeout: STEP_TIMEOUT });
    return this.page.evaluate(() => window.kcResult!);
  }

  async openApp(query = ''): Promise<InitResult> {
    await this.page.goto(`${this.appOrigin}/${query}`, { timeout: STEP_TIMEOUT });
    return this.initResult();
  }

  async submitLoginForm(): Promise<void> {
    await this.page.waitForSelector('#kc-form-login', { timeout: STEP_TIMEOUT });
    assert.ok(this.page.url().startsWith(`${this.oidc}/auth?`), `expected holdfast's login form, at ${this.page.url()}`);
    await this.page.fill('#username', 'alice');
    await this.page.fill('#password', 'alice');
    await this.page.click('#kc-login', { timeout: STEP_TIMEOUT });
    await this.page.waitForURL((url) => url.origin === this.appOrigin, { timeout: STEP_TIMEOUT });
  }

  /** Sends `representation` to realm demo's admin API (`path` below it), as the master admin; answers the status. */
  async admin(method: 'POST' | 'PUT', path: string, representation: Record<string, unknown>): Promise<number> {
    const token = await postForm(`${this.holdfast.url}/realms/master/protocol/openid-connect/token`, { grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' });
    assert.equal(token.status, 200);
    const { access_token } = (await token.json()) as { access_token: string };
    const response = await fetch(`${this.holdfast.url}/admin/realms/demo${path}`, {
      method,
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify(representation),
      signal: AbortSignal.timeout(STEP_TIMEOUT),
    });
    await response.arrayBuffer();
    return response.status;
  }

  /** Creates a client in realm demo through holdfast's admin API, as the master admin. */
  async createClient(representation: Record<string, unknown>): Promise<void> {
    assert.equal(await this.admin('POST', '/clients', representation), 201);
  }

  /** `kc.login(options)` through the login form, back in the app authenticated; answers where its requests start in `seen`. */
  async formLogin(options?: object): Promise<number> {
    const from = this.seen.length;
    await this.page.evaluate((opts) => {
      void window.kc.login(opts);
    }, options);
    await this.submitLoginForm();
    assert.deepEqual(await this.initResult(), { authenticated: true });
    return from;
  }

  /** `kc.logout()` with keycloak-js's defaults, back in the app; answers where its requests start in `seen`. */
  async defaultLogout(): Promise<number> {
    const from = this.seen.length;
    await this.backInApp(() =>
      this.page.evaluate(() => {
        void window.kc.logout();
      }),
    );
    return from;
  }

  /** Runs `action` in the app and waits until the page is back on the app (after any redirects). */
  async backInApp(action: () => Promise<unknown>): Promise<void> {
    await Promise.all([this.page.waitForNavigation({ url: (url) => url.origin === this.appOrigin, timeout: STEP_TIMEOUT }), action()]);
  }

  async ssoCookies(): Promise<{ name: string; sameSite: string; secure: boolean }[]> {
    const cookies = await this.context.cookies(this.holdfast.url + '/realms/demo/');
    return cookies.filter((c) => c.name === 'KEYCLOAK_IDENTITY' || c.name === 'KEYCLOAK_SESSION').map(({ name, sameSite, secure }) => ({ name, sameSite, secure }));
  }
}

async function postForm(url: string, form: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form), signal: AbortSignal.timeout(STEP_TIMEOUT) });
}

async function loginThroughForm(rig: Rig): Promise<void> {
  const from = rig.seen.length;
  await rig.page.evaluate(() => {
    void window.kc.login();
  });
  await rig.submitLoginForm();
  assert.deepEqual(await rig.initResult(), { authenticated: true });
  const kc = await rig.page.evaluate(() => {
    const { authenticated, tokenParsed, idTokenParsed, sessionId, refreshToken } = window.kc;
    return { authenticated, tokenParsed, idTokenParsed, sessionId, hasRefreshToken: typeof refreshToken === 'string', events: window.kcEvents };
  });
  assert.equal(kc.authenticated, true);
  assert.equal(kc.tokenParsed?.preferred_username, 'alice');
  assert.equal(kc.tokenParsed?.azp, CLIENT_ID);
  assert.equal(kc.hasRefreshToken, true);
  assert.equal(kc.sessionId, kc.tokenParsed?.sid);
  assert.ok(kc.events.includes('onAuthSuccess'), `events: ${kc.events}`);

  const authorize = rig.requests(from, '/auth').find((s) => s.topNavigation && s.url.searchParams.get('prompt') === null);
  assert.ok(authorize, 'the login went through the authorization endpoint');
  const nonce = authorize.url.searchParams.get('nonce');
  // keycloak-js compares the ID token's nonce with the one it sent, and drops the tokens if not equal.
  assert.ok(nonce && kc.idTokenParsed?.nonce === nonce, `nonce sent ${nonce}, in ID token ${kc.idTokenParsed?.nonce}`);
  assert.equal(authorize.url.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(authorize.url.searchParams.get('response_mode'), 'fragment');
  const exchange = rig.requests(from, '/token').find((s) => s.method === 'POST');
  assert.equal(exchange?.status, 200);
  const form = new URLSearchParams(exchange.postData ?? '');
  assert.equal(form.get('grant_type'), 'authorization_code');
  assert.match(form.get('code_verifier') ?? '', /^[A-Za-z0-9]{96}$/);
}

async function logoutToApp(rig: Rig): Promise<void> {
  const { refreshToken, sessionId } = await rig.page.evaluate(() => ({ refreshToken: window.kc.refreshToken!, sessionId: window.kc.sessionId }));
  const from = rig.seen.length;
  const redirectUri = `${rig.appOrigin}/?after=logout`;
  await rig.page.evaluate((uri) => {
    void window.kc.logout({ redirectUri: uri });
  }, redirectUri);
  await rig.page.waitForURL((url) => url.href.startsWith(redirectUri), { timeout: STEP_TIMEOUT });
  assert.deepEqual(await rig.initResult(), { authenticated: false });

  const logout = rig.requests(from, '/logout')[0];
  assert.equal(logout?.status, 302);
  assert.equal(logout.location, redirectUri);
  assert.equal(logout.url.searchParams.get('post_logout_redirect_uri'), redirectUri);
  assert.ok(logout.url.searchParams.get('id_token_hint'));
  assert.deepEqual(await rig.ssoCookies(), []);

  // The session is gone on the server too, not only in this browser.
  const refresh = await postForm(`${rig.oidc}/token`, { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: refreshToken });
  assert.equal(refresh.status, 400);
  assert.equal(((await refresh.json()) as { error: string }).error, 'invalid_grant');

  assert.deepEqual(await rig.openApp(), { authenticated: false });
  assert.notEqual(await rig.page.evaluate(() => window.kc.sessionId), sessionId);
}

const IMPLICIT_DISABLED = 'Client is not allowed to initiate browser login with given response_type. Implicit flow is disabled for the client.';

/** keycloak-js with clients created through the admin API (run once, in the same-site browser). */
function adminClientScenarios(rig: Rig): void {
  const plainApp = () => `${rig.appOrigin}/?client=kc-js-plain&defaults=1`;

  it('8. a client with only redirectUris and webOrigins: default init(), login, and logout back to the app', async () => {
    await rig.createClient({ clientId: 'kc-js-plain', publicClient: true, redirectUris: [`${rig.appOrigin}/*`], webOrigins: ['+'] });
    assert.deepEqual(await rig.openApp('?client=kc-js-plain&defaults=1'), { authenticated: false });
    let from = await rig.formLogin();
    const authorize = rig.requests(from, '/auth').find((s) => s.topNavigation);
    assert.equal(authorize?.url.searchParams.get('response_mode'), 'fragment');
    assert.equal(authorize.url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(await rig.page.evaluate(() => window.kc.tokenParsed?.azp), 'kc-js-plain');
    assert.equal(rig.page.url(), plainApp());

    from = await rig.defaultLogout();
    assert.deepEqual(await rig.initResult(), { authenticated: false });
    const logout = rig.requests(from, '/logout')[0];
    assert.equal(logout?.url.searchParams.get('post_logout_redirect_uri'), plainApp());
    assert.equal(logout.status, 302);
    assert.equal(logout.location, plainApp());
    assert.deepEqual(await rig.ssoCookies(), []);
  });

  it('9. login from an app URL with a fragment comes back to that URL, fragment kept', async () => {
    const appUrl = `${plainApp()}#section=x`;
    assert.deepEqual(await rig.openApp('?client=kc-js-plain&defaults=1#section=x'), { authenticated: false });
    let from = await rig.formLogin();
    assert.equal(rig.requests(from, '/auth').find((s) => s.topNavigation)?.url.searchParams.get('redirect_uri'), appUrl);
    const back = rig.requests(from, '/login-actions/authenticate').find((s) => s.status === 302);
    assert.ok(back?.location?.startsWith(`${appUrl}&state=`), back?.location);
    assert.equal(rig.requests(from, '/token')[0]?.status, 200);
    assert.equal(rig.page.url(), appUrl, 'keycloak-js took its parameters out of the fragment and left the app its own');

    from = await rig.defaultLogout();
    assert.equal(rig.requests(from, '/logout')[0]?.location, appUrl);
  });

  it("10. flow: 'implicit' for a client without the implicit flow: Keycloak's unauthorized_client error object", async () => {
    assert.deepEqual(await rig.openApp('?client=kc-js-plain&flow=implicit'), { authenticated: false });
    const from = rig.seen.length;
    await rig.backInApp(() => rig.page.evaluate(() => {
      void window.kc.login();
    }));
    assert.deepEqual(await rig.initResult(), { error: 'unauthorized_client', error_description: IMPLICIT_DISABLED });
    assert.ok((await rig.page.evaluate(() => window.kcEvents)).includes('onAuthError'));
    const authorize = rig.requests(from, '/auth')[0];
    assert.equal(authorize?.url.searchParams.get('response_type'), 'id_token token');
    assert.ok(authorize.location?.includes('#error=unauthorized_client'), authorize.location);
  });

  it("11. flow: 'implicit' for a client that allows it: tokens from the fragment, no refresh token, no token request", async () => {
    await rig.createClient({ clientId: 'kc-js-implicit', publicClient: true, implicitFlowEnabled: true, redirectUris: [`${rig.appOrigin}/*`], webOrigins: ['+'] });
    assert.deepEqual(await rig.openApp('?client=kc-js-implicit&flow=implicit'), { authenticated: false });
    const from = await rig.formLogin();
    const kc = await rig.page.evaluate(() => ({ azp: window.kc.tokenParsed?.azp, nonce: window.kc.idTokenParsed?.nonce, refreshToken: window.kc.refreshToken, user: window.kc.idTokenParsed?.preferred_username }));
    const authorize = rig.requests(from, '/auth').find((s) => s.topNavigation);
    assert.deepEqual(kc, { azp: 'kc-js-implicit', nonce: authorize?.url.searchParams.get('nonce'), refreshToken: undefined, user: 'alice' });
    assert.deepEqual(rig.requests(from, '/token'), []);
  });

  it('12. updateToken once the access token has expired gets a new one with the refresh token', async () => {
    await rig.createClient({ clientId: 'kc-js-short', publicClient: true, redirectUris: [`${rig.appOrigin}/*`], webOrigins: ['+'], attributes: { 'access.token.lifespan': '2' } });
    assert.deepEqual(await rig.openApp('?client=kc-js-short&defaults=1'), { authenticated: false });
    await rig.formLogin({ prompt: 'login' });
    const before = await rig.page.evaluate(() => window.kc.token);
    await rig.page.waitForFunction(() => window.kc.isTokenExpired(), undefined, { timeout: STEP_TIMEOUT, polling: 200 });
    const from = rig.seen.length;
    assert.equal(await rig.page.evaluate(() => window.kc.updateToken(1)), true);
    const after = await rig.page.evaluate(() => ({ token: window.kc.token, events: window.kcEvents }));
    assert.notEqual(after.token, before);
    assert.ok(after.events.includes('onTokenExpired') && after.events.includes('onAuthRefreshSuccess'), `events: ${after.events}`);
    const refresh = rig.requests(from, '/token')[0];
    assert.equal(refresh?.status, 200);
    assert.equal(new URLSearchParams(refresh.postData ?? '').get('grant_type'), 'refresh_token');
  });

  it('13. register(): the registration page of /registrations, then back in the app as the new user', async () => {
    assert.equal(await rig.admin('PUT', '', { registrationAllowed: true }), 204);
    assert.deepEqual(await rig.openApp('?client=kc-js-plain&defaults=1'), { authenticated: false });
    const from = rig.seen.length;
    await rig.page.evaluate(() => {
      void window.kc.register();
    });
    await rig.page.waitForSelector('#kc-register-form', { timeout: STEP_TIMEOUT });
    assert.ok(rig.page.url().startsWith(`${rig.oidc}/registrations?`), rig.page.url());
    const fields = { username: 'kc-js-new', email: 'kc-js-new@example.com', firstName: 'Kay', lastName: 'Jay', password: 'kc-js-pass1', 'password-confirm': 'kc-js-pass1' };
    for (const [id, value] of Object.entries(fields)) await rig.page.fill(`#${id}`, value);
    await rig.page.click('#kc-register', { timeout: STEP_TIMEOUT });
    await rig.page.waitForURL((url) => url.origin === rig.appOrigin, { timeout: STEP_TIMEOUT });
    assert.deepEqual(await rig.initResult(), { authenticated: true });
    assert.equal(await rig.page.evaluate(() => window.kc.tokenParsed?.preferred_username), 'kc-js-new');
    assert.equal(rig.requests(from, '/login-actions/registration').find((s) => s.method === 'POST')?.status, 302);
    assert.equal(rig.requests(from, '/token')[0]?.status, 200);
  });
}

/** Every scenario, for browsers where keycloak-js's iframes get holdfast's cookies; `more` adds some. */
function iframeScenarios(title: string, options: RigOptions, more?: (rig: Rig) => void): void {
  describe(title, { skip: missing, timeout: 180_000 }, () => {
    const rig = new Rig();
    before(() => rig.start(options));
    after(() => rig.stop());

    it('1. check-sso in a fresh browser: not authenticated, 3p-cookie check and status iframe done', async () => {
      const from = rig.seen.length;
      assert.deepEqual(await rig.openApp(), { authenticated: false });
      assert.equal(rig.requests(from, '/3p-cookies/step1.html')[0]?.status, 200);
      assert.equal(rig.requests(from, '/3p-cookies/step2.html')[0]?.status, 200);
      const messages = await rig.page.evaluate(() => window.kcMessages);
      assert.ok(
        messages.some((m) => m.origin === rig.holdfast.url && m.data === 'supported'),
        `3p-cookie check answered ${JSON.stringify(messages)}`,
      );
      // "supported" keeps the login-status iframe on; with no session it answers "unchanged".
      assert.equal(rig.requests(from, '/login-status-iframe.html')[0]?.status, 200);
      const init = rig.requests(from, '/login-status-iframe.html/init')[0];
      assert.equal(init?.status, 204);
      assert.equal(init.url.searchParams.get('client_id'), CLIENT_ID);
      assert.equal(init.url.searchParams.get('origin'), rig.appOrigin);
      assert.ok(messages.some((m) => m.origin === rig.holdfast.url && m.data === 'unchanged'));
      assert.deepEqual(await rig.page.evaluate(() => window.kcEvents), ['onReady']);
    });

    it('2. login(): holdfast login form, then back in the app with PKCE-exchanged tokens', async () => {
      await loginThroughForm(rig);
      // Loopback hosts are secure contexts: the SSO cookies can be SameSite=None, as in Keycloak.
      assert.deepEqual(await rig.ssoCookies(), [
        { name: 'KEYCLOAK_IDENTITY', sameSite: 'None', secure: true },
        { name: 'KEYCLOAK_SESSION', sameSite: 'None', secure: true },
      ]);
    });

    it('3. reload with check-sso: silently authenticated through the SSO cookie, no form', async () => {
      const sessionBefore = await rig.page.evaluate(() => window.kc.sessionId);
      const from = rig.seen.length;
      assert.deepEqual(await rig.openApp(), { authenticated: true });
      const silent = rig.requests(from, '/auth');
      assert.equal(silent.length, 1, `authorization requests: ${silent.map((s) => s.url.href)}`);
      assert.equal(silent[0].topNavigation, false, 'the prompt=none request runs in a hidden iframe');
      assert.equal(silent[0].url.searchParams.get('prompt'), 'none');
      assert.equal(silent[0].url.searchParams.get('redirect_uri'), `${rig.appOrigin}/silent-check-sso.html`);
      assert.equal(silent[0].status, 302);
      assert.ok(silent[0].location?.startsWith(`${rig.appOrigin}/silent-check-sso.html#`) && silent[0].location.includes('code='), silent[0].location);
      assert.deepEqual(
        rig.seen.slice(from).filter((s) => s.topNavigation && s.url.origin === rig.holdfast.url),
        [],
        'the page itself never left the app',
      );
      const kc = await rig.page.evaluate(() => ({ sessionId: window.kc.sessionId, user: window.kc.tokenParsed?.preferred_username }));
      assert.deepEqual(kc, { sessionId: sessionBefore, user: 'alice' });
    });

    it('4. updateToken(-1) forces a refresh', async () => {
      const from = rig.seen.length;
      const tokenBefore = await rig.page.evaluate(() => window.kc.token);
      assert.equal(await rig.page.evaluate(() => window.kc.updateToken(-1)), true);
      const state = await rig.page.evaluate(() => ({ token: window.kc.token, events: window.kcEvents }));
      assert.notEqual(state.token, tokenBefore);
      assert.ok(state.events.includes('onAuthRefreshSuccess'));
      const refresh = rig.requests(from, '/token')[0];
      assert.equal(refresh?.status, 200);
      assert.equal(new URLSearchParams(refresh.postData ?? '').get('grant_type'), 'refresh_token');
    });

    it('5. loadUserInfo() returns alice', async () => {
      const info = await rig.page.evaluate(() => window.kc.loadUserInfo());
      const subject = await rig.page.evaluate(() => window.kc.subject);
      assert.equal(info.email, 'alice@example.com');
      assert.equal(info.preferred_username, 'alice');
      assert.equal(info.sub, subject);
    });

    it('5b. loadUserProfile() reads alice from the account REST API, cross-origin with CORS', async () => {
      const profile = await rig.page.evaluate(() => window.kc.loadUserProfile());
      const subject = await rig.page.evaluate(() => window.kc.subject);
      assert.equal(profile.id, subject);
      assert.equal(profile.username, 'alice');
      assert.equal(profile.email, 'alice@example.com');
      assert.equal(typeof profile.emailVerified, 'boolean');
    });

    it('6. logout in another tab: the login-status iframe reports it and onAuthLogout fires', async () => {
      const idToken = await rig.page.evaluate(() => window.kc.idToken!);
      const other = await rig.context.newPage();
      try {
        const query = new URLSearchParams({ client_id: CLIENT_ID, id_token_hint: idToken });
        await other.goto(`${rig.oidc}/logout?${query}`, { timeout: STEP_TIMEOUT });
        assert.equal(await other.textContent('#kc-page-title', { timeout: STEP_TIMEOUT }), 'You are logged out');
      } finally {
        await other.close();
      }
      const started = Date.now();
      await rig.page.waitForFunction(() => window.kcEvents.includes('onAuthLogout'), undefined, { timeout: 10_000 });
      const state = await rig.page.evaluate(() => ({ authenticated: window.kc.authenticated, token: window.kc.token, last: window.kcMessages.at(-1) }));
      assert.deepEqual(state, { authenticated: false, token: undefined, last: { origin: rig.holdfast.url, data: 'changed' } });
      assert.ok(Date.now() - started < 10_000);
    });

    it('6b. login-required, then a server-side refresh-token logout: refresh fails, keycloak-js logs in again', async () => {
      let from = rig.seen.length;
      await rig.page.goto(`${rig.appOrigin}/?onLoad=login-required`, { timeout: STEP_TIMEOUT });
      // login-required goes straight to the form (the SSO session ended in scenario 6).
      await rig.submitLoginForm();
      assert.deepEqual(await rig.initResult(), { authenticated: true });
      assert.equal(rig.requests(from, '/auth').filter((s) => s.topNavigation).length, 1);

      const refreshToken = await rig.page.evaluate(() => window.kc.refreshToken!);
      const logout = await postForm(`${rig.oidc}/logout`, { client_id: CLIENT_ID, refresh_token: refreshToken });
      assert.equal(logout.status, 204);

      // The browser's cookies did not change, so the status iframe cannot see this logout (as in
      // Keycloak); the next refresh is refused, keycloak-js drops its tokens and, being in
      // login-required mode, sends the user to a login form that the dead SSO cookie cannot skip.
      from = rig.seen.length;
      const linesBefore = rig.consoleLines.length;
      await rig.page.evaluate(() => {
        void window.kc.updateToken(-1).catch(() => undefined);
      });
      await rig.page.waitForSelector('#kc-form-login', { timeout: STEP_TIMEOUT });
      assert.equal(rig.requests(from, '/token')[0]?.status, 400);
      const events = rig.consoleLines.slice(linesBefore).filter((line) => line.startsWith('kc-event '));
      assert.ok(events.includes('kc-event onAuthLogout') && events.includes('kc-event onAuthRefreshError'), `events: ${events}`);

      await rig.submitLoginForm();
      assert.deepEqual(await rig.initResult(), { authenticated: true });
    });

    it('7. logout({redirectUri}) returns to the app and a fresh check-sso is not authenticated', () => logoutToApp(rig));
    more?.(rig);
  });
}

iframeScenarios('keycloak-js 26 in Chromium, app on the same site as holdfast', { appHost: '127.0.0.1', thirdPartyCookies: false }, adminClientScenarios);
iframeScenarios('keycloak-js 26 in Chromium, app on another site, third-party cookies allowed', { appHost: 'localhost', thirdPartyCookies: true });

describe('keycloak-js 26 in Chromium, app on another site, third-party cookies blocked', { skip: missing, timeout: 180_000 }, () => {
  const rig = new Rig();
  before(() => rig.start({ appHost: 'localhost', thirdPartyCookies: false }));
  after(() => rig.stop());

  it('check-sso: the 3p-cookie check says unsupported, keycloak-js falls back to a prompt=none redirect', async () => {
    const from = rig.seen.length;
    assert.deepEqual(await rig.openApp(), { authenticated: false });
    assert.equal(rig.requests(from, '/3p-cookies/step2.html')[0]?.status, 200);
    // "unsupported" turns the status iframe off and, although a silentCheckSsoRedirectUri is set,
    // makes check-sso a top-level redirect.
    assert.deepEqual(rig.requests(from, '/login-status-iframe.html'), []);
    const redirect = rig.requests(from, '/auth')[0];
    assert.equal(redirect?.topNavigation, true);
    assert.equal(redirect.url.searchParams.get('prompt'), 'none');
    assert.equal(redirect.status, 302);
    assert.ok(redirect.location?.startsWith(`${rig.appOrigin}/#`) && redirect.location.includes('error=login_required'), redirect.location);
  });

  it('login(), then a reload is authenticated by the prompt=none redirect without the form', async () => {
    await loginThroughForm(rig);
    const from = rig.seen.length;
    assert.deepEqual(await rig.openApp(), { authenticated: true });
    const redirect = rig.requests(from, '/auth');
    assert.equal(redirect.length, 1);
    assert.equal(redirect[0].url.searchParams.get('prompt'), 'none');
    assert.ok(redirect[0].location?.includes('code='), redirect[0].location);
    assert.equal(await rig.page.evaluate(() => window.kc.tokenParsed?.preferred_username), 'alice');
  });

  it('logout({redirectUri}) returns to the app and a fresh check-sso is not authenticated', () => logoutToApp(rig));
});

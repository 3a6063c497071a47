/**
 * The device authorization grant's answers to everything but the happy path, through
 * `app.inject` with a manual clock, each compared with Keycloak 26.7.3: the device endpoint's
 * refusals (grant disabled, bad PKCE, repeated or over-long parameters, unknown scope), the
 * polling errors in Keycloak's order (`authorization_pending`, `slow_down`, `expired_token`,
 * `access_denied`, `invalid_grant` for unknown, spent or another client's codes), the user-code
 * page (wrong, expired and reused codes, guessing cut off), the approval form's binding to the
 * browser that logged in, the cap on new codes per client, and the events Keycloak records.
 * Run on the embedded store and on Redis (its own key prefix), whose records the codes live in.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Config } from '../../src/config/index.ts';
import { deleteRedisKeys } from '../support/redis-keys.ts';
import type { LightMyRequestResponse } from 'fastify';
import { DEMO, decodeJwt, form, testApp, type TestApp } from '../support/app.ts';
import { InjectJar, adminHeaders, serverErrors } from '../support/inject-browser.ts';
import { DEVICE_CODES_PER_CLIENT } from '../../src/oidc/device/device-authorization.ts';
import { WRONG_CODES_PER_NETWORK } from '../../src/oidc/device/verify-user-code.ts';

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const DEVICE = '/realms/demo/device';
const ENABLED = { 'oauth2.device.authorization.grant.enabled': 'true' };

const unescape = (text: string) => text.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))).replace(/&amp;/g, '&');
const pathOf = (url: string) => {
  const parsed = new URL(unescape(url), 'http://localhost');
  return parsed.pathname + parsed.search;
};
const errorOf = (response: LightMyRequestResponse) => [response.statusCode, response.json().error, response.json().error_description];

const REDIS_URL = 'redis://127.0.0.1:6379';
const BACKENDS: Array<[string, Partial<Config>]> = [
  ['SQLite', {}],
  ['Redis', { sessions: 'redis', sessionsUrl: REDIS_URL, sessionsKeyPrefix: `holdfast-device-test:${randomBytes(6).toString('hex')}:` }],
];

for (const [backend, overrides] of BACKENDS) describe(`device authorization grant on ${backend}: errors and bad input`, () => {
  let t: TestApp;
  let admin: { authorization: string };

  before(async () => {
    t = await testApp(overrides);
    admin = await adminHeaders(t);
    const clients = [
      { clientId: 'tv', publicClient: true, attributes: { ...ENABLED, 'oauth2.device.code.lifespan': '60', 'oauth2.device.polling.interval': '5' } },
      { clientId: 'tv-pkce', publicClient: true, attributes: { ...ENABLED, 'pkce.code.challenge.method': 'S256' } },
      { clientId: 'tv-two', publicClient: true, attributes: ENABLED },
      { clientId: 'no-device', publicClient: true },
      { clientId: 'cli', publicClient: false, secret: 'cli-secret', attributes: ENABLED },
    ];
    for (const client of clients) {
      const created = await t.app.inject({ method: 'POST', url: '/admin/realms/demo/clients', headers: admin, payload: client });
      assert.equal(created.statusCode, 201, created.body);
    }
    const events = await t.app.inject({ method: 'PUT', url: '/admin/realms/demo/events/config', headers: admin, payload: { eventsEnabled: true } });
    assert.equal(events.statusCode, 204, events.body);
  });
  after(async () => {
    assert.equal(await serverErrors(t), 0);
    await t.close();
    if (overrides.sessionsKeyPrefix) await deleteRedisKeys(REDIS_URL, overrides.sessionsKeyPrefix);
  });

  const authorize = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: `${DEMO}/auth/device`, payload: form(fields).payload, headers: { ...form({}).headers, ...headers } });
  const pollWith = (fields: Record<string, string>) => t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: GRANT, ...fields }) });
  const newCodes = async (clientId = 'tv', extra: Record<string, string> = {}) => {
    const response = await authorize({ client_id: clientId, ...extra });
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as { device_code: string; user_code: string; verification_uri_complete: string; expires_in: number; interval: number };
  };
  const events = async (type: string) => {
    await t.ctx.events.writer.flush();
    // The clock has moved on by minutes: a new admin token.
    const response = await t.app.inject({ method: 'GET', url: `/admin/realms/demo/events?type=${type}&max=100`, headers: await adminHeaders(t) });
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as Array<{ type: string; clientId?: string; error?: string; details?: Record<string, string> }>;
  };

  /** Logs alice in for the user code in a fresh browser, returning the approval page and the browser's jar. */
  async function logInFor(userCode: string, jar = new InjectJar()): Promise<{ page: LightMyRequestResponse; jar: InjectJar }> {
    const entry = await t.app.inject({ method: 'GET', url: `${DEVICE}?user_code=${userCode}`, headers: { cookie: jar.header() } });
    jar.store(entry);
    if (entry.statusCode !== 200 || !entry.body.includes('kc-form-login')) return { page: entry, jar };
    const action = entry.body.match(/<form id="kc-form-login"[^>]*action="([^"]+)"/)![1];
    const body = form({ username: 'alice', password: 'alice' });
    const page = await t.app.inject({ method: 'POST', url: pathOf(action), payload: body.payload, headers: { ...body.headers, cookie: jar.header() } });
    jar.store(page);
    return { page, jar };
  }
  async function answer(page: LightMyRequestResponse, jar: InjectJar, choice: 'accept' | 'cancel'): Promise<LightMyRequestResponse> {
    const action = page.body.match(/<form class="form-actions" action="([^"]+)"/)![1];
    const code = unescape(page.body.match(/name="code" value="([^"]+)"/)![1]);
    const body = form({ code, [choice]: choice === 'accept' ? 'Yes' : 'No' });
    const response = await t.app.inject({ method: 'POST', url: pathOf(action), payload: body.payload, headers: { ...body.headers, cookie: jar.header() } });
    jar.store(response);
    return response;
  }

  describe('the device endpoint', () => {
    it("answers Keycloak's shape with the client's lifespan and interval", async () => {
      const response = await authorize({ client_id: 'tv', scope: 'openid' });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['cache-control'], 'no-store, must-revalidate, max-age=0');
      const body = response.json();
      assert.deepEqual(Object.keys(body), ['device_code', 'user_code', 'verification_uri', 'verification_uri_complete', 'expires_in', 'interval']);
      assert.match(body.device_code, /^[A-Za-z0-9_-]{43}$/);
      assert.match(body.user_code, /^[A-Z]{4}-[A-Z]{4}$/);
      assert.equal(body.verification_uri, 'http://localhost:80/realms/demo/device');
      assert.deepEqual([body.expires_in, body.interval], [60, 5]);
      const realmDefaults = await newCodes('tv-two');
      assert.deepEqual([realmDefaults.expires_in, realmDefaults.interval], [600, 5]);
    });

    it("takes the realm's lifespan and interval from the admin API, within bounds", async () => {
      const realm = () => t.app.inject({ method: 'GET', url: '/admin/realms/demo', headers: admin });
      assert.deepEqual([(await realm()).json().oauth2DeviceCodeLifespan, (await realm()).json().oauth2DevicePollingInterval], [600, 5]);
      const put = (body: Record<string, unknown>) => t.app.inject({ method: 'PUT', url: '/admin/realms/demo', headers: admin, payload: body });
      assert.equal((await put({ oauth2DeviceCodeLifespan: 0 })).statusCode, 400);
      assert.equal((await put({ oauth2DevicePollingInterval: 86400 })).statusCode, 400);
      assert.equal((await put({ oauth2DeviceCodeLifespan: 120, oauth2DevicePollingInterval: 2 })).statusCode, 204);
      const codes = await newCodes('tv-two');
      assert.deepEqual([codes.expires_in, codes.interval], [120, 2]);
      assert.equal((await put({ oauth2DeviceCodeLifespan: 600, oauth2DevicePollingInterval: 5 })).statusCode, 204);
    });

    it('refuses clients without the grant, unauthenticated confidential clients and unknown clients', async () => {
      assert.deepEqual(errorOf(await authorize({ client_id: 'no-device' })), [400, 'unauthorized_client', 'Client is not allowed to initiate OAuth 2.0 Device Authorization Grant. The flow is disabled for the client.']);
      assert.deepEqual(errorOf(await authorize({ client_id: 'cli' })), [401, 'unauthorized_client', 'Invalid client or Invalid client credentials']);
      assert.deepEqual(errorOf(await authorize({ client_id: 'cli', client_secret: 'wrong' })), [401, 'unauthorized_client', 'Invalid client or Invalid client credentials']);
      assert.deepEqual(errorOf(await authorize({ client_id: 'nope' })), [401, 'invalid_client', 'Invalid client or Invalid client credentials']);
      const basic = await authorize({}, { authorization: `Basic ${Buffer.from('cli:cli-secret').toString('base64')}` });
      assert.equal(basic.statusCode, 200);
    });

    it("checks PKCE in Keycloak's order and words", async () => {
      const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuJJRbV0Ys0';
      const cases: Array<[string, Record<string, string>, string]> = [
        ['tv', { code_challenge_method: 'S256' }, 'Missing parameter: code_challenge'],
        ['tv', { code_challenge: 'abc' }, 'Invalid parameter: code_challenge'],
        ['tv', { code_challenge: challenge, code_challenge_method: 'foo' }, 'Invalid parameter: code_challenge_method'],
        ['tv', { code_challenge: 'abc', code_challenge_method: 'foo' }, 'Invalid parameter: code_challenge_method'],
        ['tv-pkce', {}, 'Missing parameter: code_challenge_method'],
        ['tv-pkce', { code_challenge_method: 'S256' }, 'Missing parameter: code_challenge'],
        ['tv-pkce', { code_challenge: challenge }, 'Missing parameter: code_challenge_method'],
        ['tv-pkce', { code_challenge: challenge, code_challenge_method: 'plain' }, 'Invalid parameter: code challenge method is not matching the configured one'],
        ['tv-pkce', { code_challenge: 'abc', code_challenge_method: 'S256' }, 'Invalid parameter: code_challenge'],
      ];
      for (const [clientId, fields, description] of cases) {
        assert.deepEqual(errorOf(await authorize({ client_id: clientId, ...fields })), [400, 'invalid_request', description], JSON.stringify(fields));
      }
      await newCodes('tv-pkce', { code_challenge: challenge, code_challenge_method: 'S256' });
    });

    it('refuses repeated, over-long and unknown input instead of dropping it', async () => {
      const repeated = await t.app.inject({ method: 'POST', url: `${DEMO}/auth/device`, payload: 'client_id=tv&client_id=tv', headers: form({}).headers });
      assert.deepEqual(errorOf(repeated), [400, 'invalid_grant', 'duplicated parameter']);
      assert.deepEqual(errorOf(await authorize({ client_id: 'tv', nonce: 'n'.repeat(4001) })), [400, 'invalid_grant', "The size of OIDC parameter 'nonce' is longer than allowed."]);
      assert.deepEqual(errorOf(await authorize({ client_id: 'tv', scope: 'openid bogus' })), [400, 'invalid_scope', 'Invalid scopes: openid bogus']);
      const json = await t.app.inject({ method: 'POST', url: `${DEMO}/auth/device`, payload: { client_id: 'tv' } });
      assert.equal(json.statusCode, 415);
    });

    it('caps the new device codes of one client per minute', async () => {
      // Fill the window straight in the store: a thousand requests would only slow the test.
      const now = t.ctx.sessions.now();
      const [client] = (await t.app.inject({ method: 'GET', url: '/admin/realms/demo/clients?clientId=tv-two', headers: admin })).json();
      await t.ctx.store.deleteEphemeral(`device-auth:${client.id}`);
      await t.ctx.store.putEphemeral(`device-auth:${client.id}`, JSON.stringify({ count: DEVICE_CODES_PER_CLIENT.limit, until: now + 59 }), now + 59, now);
      const refused = await authorize({ client_id: 'tv-two' });
      assert.deepEqual(errorOf(refused), [429, 'temporarily_unavailable', 'Too many requests']);
      assert.equal(refused.headers['retry-after'], '60');
      t.clock.advanceSeconds(60);
      await newCodes('tv-two');
    });
  });

  describe('polling', () => {
    it("answers Keycloak's errors in Keycloak's order", async () => {
      assert.deepEqual(errorOf(await pollWith({ client_id: 'tv' })), [400, 'invalid_request', 'Missing parameter: device_code']);
      assert.deepEqual(errorOf(await pollWith({ client_id: 'tv', device_code: 'bogus' })), [400, 'invalid_grant', 'Device code not valid']);
      assert.deepEqual(errorOf(await pollWith({ client_id: 'tv', device_code: 'x'.repeat(10_000) })), [400, 'invalid_grant', 'Device code not valid']);
      const codes = await newCodes();
      assert.deepEqual(errorOf(await pollWith({ client_id: 'no-device', device_code: codes.device_code })), [400, 'invalid_grant', 'Client not allowed OAuth 2.0 Device Authorization Grant']);
      assert.deepEqual(errorOf(await pollWith({ client_id: 'tv-two', device_code: codes.device_code })), [400, 'invalid_grant', 'unauthorized client']);
      assert.deepEqual(errorOf(await pollWith({ client_id: 'tv', device_code: codes.device_code })), [400, 'authorization_pending', 'The authorization request is still pending']);
      assert.deepEqual(errorOf(await pollWith({ client_id: 'tv', device_code: codes.device_code })), [400, 'slow_down', 'Slow down']);
      t.clock.advanceSeconds(4);
      assert.deepEqual(errorOf(await pollWith({ client_id: 'tv', device_code: codes.device_code })), [400, 'slow_down', 'Slow down']);
      t.clock.advanceSeconds(1);
      assert.deepEqual(errorOf(await pollWith({ client_id: 'tv', device_code: codes.device_code })), [400, 'authorization_pending', 'The authorization request is still pending']);
      // Past the 60 s lifespan: expired_token while the record lingers (interval + 10 s), then unknown.
      t.clock.advanceSeconds(61);
      assert.deepEqual(errorOf(await pollWith({ client_id: 'tv', device_code: codes.device_code })), [400, 'expired_token', 'Device code is expired']);
      t.clock.advanceSeconds(16);
      assert.deepEqual(errorOf(await pollWith({ client_id: 'tv', device_code: codes.device_code })), [400, 'invalid_grant', 'Device code not valid']);
    });

    it('verifies PKCE before it spends the code', async () => {
      const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
      const codes = await newCodes('tv-pkce', { code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
      const { page, jar } = await logInFor(codes.user_code);
      assert.equal((await answer(page, jar, 'accept')).headers.location, 'http://localhost:80/realms/demo/device/status');
      assert.deepEqual(errorOf(await pollWith({ client_id: 'tv-pkce', device_code: codes.device_code })), [400, 'invalid_grant', 'PKCE code verifier not specified']);
      t.clock.advanceSeconds(5);
      assert.deepEqual(errorOf(await pollWith({ client_id: 'tv-pkce', device_code: codes.device_code, code_verifier: 'a'.repeat(43) })), [400, 'invalid_grant', 'PKCE verification failed: Code mismatch']);
      t.clock.advanceSeconds(5);
      const tokens = await pollWith({ client_id: 'tv-pkce', device_code: codes.device_code, code_verifier: verifier });
      assert.equal(tokens.statusCode, 200, tokens.body);
      assert.equal(decodeJwt(tokens.json().access_token).azp, 'tv-pkce');
    });

    it('gives tokens to one of many concurrent polls of an approved code', async () => {
      const codes = await newCodes('cli', { client_secret: 'cli-secret' });
      const { page, jar } = await logInFor(codes.user_code);
      await answer(page, jar, 'accept');
      const poll = () => pollWith({ client_id: 'cli', client_secret: 'cli-secret', device_code: codes.device_code });
      const answers = await Promise.all(Array.from({ length: 8 }, poll));
      assert.equal(answers.filter((a) => a.statusCode === 200).length, 1);
      // Each other poll is refused for polling too fast, or for the code already spent.
      for (const refused of answers.filter((a) => a.statusCode !== 200)) assert.ok(['slow_down', 'invalid_grant'].includes(refused.json().error), refused.body);
      t.clock.advanceSeconds(5);
      assert.deepEqual(errorOf(await poll()), [400, 'invalid_grant', 'Device code not valid']);
    });
  });

  describe('the person', () => {
    it('sees the entry page, and Keycloak\'s message for wrong, reused and expired codes', async () => {
      const entry = await t.app.inject({ method: 'GET', url: DEVICE });
      assert.equal(entry.statusCode, 200);
      assert.match(entry.body, /<h1 id="kc-page-title">Device Login<\/h1>/);
      assert.match(entry.body, /id="device_user_code" name="device_user_code"/);
      const wrong = await t.app.inject({ method: 'POST', url: DEVICE, ...form({ device_user_code: 'AAAA-AAAA' }) });
      assert.match(wrong.body, /Invalid code, please try again\./);
      const garbage = await t.app.inject({ method: 'GET', url: `${DEVICE}?user_code=${'%00'.repeat(100)}` });
      assert.match(garbage.body, /Invalid code, please try again\./);

      const codes = await newCodes('tv');
      // Lower case and without the dash reads the same.
      const { page, jar } = await logInFor(codes.user_code.replace('-', '').toLowerCase());
      assert.match(page.body, /Grant Access to tv/);
      assert.match(page.body, /<li><span>User roles<\/span><\/li><li><span>User profile<\/span><\/li><li><span>Email address<\/span><\/li>/);
      await answer(page, jar, 'accept');
      const reused = await t.app.inject({ method: 'GET', url: `${DEVICE}?user_code=${codes.user_code}` });
      assert.match(reused.body, /Invalid code, please try again\./);

      const late = await newCodes('tv');
      t.clock.advanceSeconds(61);
      const expired = await t.app.inject({ method: 'GET', url: `${DEVICE}?user_code=${late.user_code}` });
      assert.match(expired.body, /The code has expired\. Please go back to your device and try connecting again\./);
      const cancelled = await t.app.inject({ method: 'POST', url: DEVICE, ...form({ cancel: 'x' }) });
      assert.match(cancelled.body, /Consent denied for connecting the device\./);
    });

    it('goes straight to the approval page with an SSO session, and the denial reaches the device', async () => {
      const first = await newCodes('tv-two');
      const { page, jar } = await logInFor(first.user_code);
      await answer(page, jar, 'accept');
      const second = await newCodes('tv-two');
      const again = await logInFor(second.user_code, jar);
      assert.equal(again.page.statusCode, 200);
      assert.match(again.page.body, /Do you grant these access privileges\?/);
      const denied = await answer(again.page, jar, 'cancel');
      assert.equal(denied.headers.location, 'http://localhost:80/realms/demo/device/status?error=access_denied');
      const status = await t.app.inject({ method: 'GET', url: pathOf(denied.headers.location as string) });
      assert.match(status.body, /Device Login Failed/);
      assert.deepEqual(errorOf(await pollWith({ client_id: 'tv-two', device_code: second.device_code })), [400, 'access_denied', 'The end user denied the authorization request']);
    });

    it('takes the approval only from the browser that logged in, and only once', async () => {
      const codes = await newCodes('tv-two');
      const { page, jar } = await logInFor(codes.user_code);
      const stranger = new InjectJar();
      const forged = await answer(page, stranger, 'accept');
      assert.equal(forged.statusCode, 400);
      assert.deepEqual(errorOf(await pollWith({ client_id: 'tv-two', device_code: codes.device_code })), [400, 'authorization_pending', 'The authorization request is still pending']);
      assert.equal((await answer(page, jar, 'accept')).headers.location, 'http://localhost:80/realms/demo/device/status');
      assert.equal((await answer(page, jar, 'accept')).headers.location, 'http://localhost:80/realms/demo/device/status?error=expired_token');
      const bad = await t.app.inject({ method: 'POST', url: '/realms/demo/device/consent', ...form({ code: 'c'.repeat(500), accept: 'Yes' }) });
      assert.equal(bad.statusCode, 400);
    });

    it("runs the user's required actions before the approval page", async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/admin/realms/demo/users',
        headers: admin,
        payload: { username: 'dana', enabled: true, email: 'dana@example.com', firstName: 'Dana', lastName: 'D', requiredActions: ['UPDATE_PASSWORD'], credentials: [{ type: 'password', value: 'dana-old-1', temporary: false }] },
      });
      assert.equal(created.statusCode, 201, created.body);
      const codes = await newCodes('tv-two');
      const jar = new InjectJar();
      const entry = await t.app.inject({ method: 'GET', url: `${DEVICE}?user_code=${codes.user_code}` });
      jar.store(entry);
      const submit = async (page: LightMyRequestResponse, formId: string, fields: Record<string, string>) => {
        const action = page.body.match(new RegExp(`<form id="${formId}"[^>]*action="([^"]+)"`))![1];
        const body = form(fields);
        const response = await t.app.inject({ method: 'POST', url: pathOf(action), payload: body.payload, headers: { ...body.headers, cookie: jar.header() } });
        jar.store(response);
        return response;
      };
      const update = await submit(entry, 'kc-form-login', { username: 'dana', password: 'dana-old-1' });
      assert.match(update.body, /id="kc-passwd-update-form"/);
      const approval = await submit(update, 'kc-passwd-update-form', { 'password-new': 'dana-new-2', 'password-confirm': 'dana-new-2' });
      assert.match(approval.body, /Do you grant these access privileges\?/);
      await answer(approval, jar, 'accept');
      const tokens = await pollWith({ client_id: 'tv-two', device_code: codes.device_code });
      assert.equal(tokens.statusCode, 200, tokens.body);
      assert.equal(decodeJwt(tokens.json().access_token).preferred_username, 'dana');
    });

    it('cuts off guessing of user codes per client network', async () => {
      const guess = (remoteAddress: string, userCode = 'ZZZZ-ZZZZ') => t.app.inject({ method: 'POST', url: DEVICE, remoteAddress, ...form({ device_user_code: userCode }) });
      for (let i = 0; i < WRONG_CODES_PER_NETWORK.limit; i++) assert.equal((await guess('10.9.0.1')).statusCode, 200);
      const codes = await newCodes('tv-two');
      const refused = await guess('10.9.0.1', codes.user_code);
      assert.equal(refused.statusCode, 429, 'past the limit even the right code is not looked up');
      assert.match(refused.body, /Too many invalid codes/);
      assert.equal(refused.headers['retry-after'], String(WRONG_CODES_PER_NETWORK.windowSeconds));
      assert.equal((await guess('10.9.0.2', codes.user_code)).statusCode, 200, 'another network may still enter codes');
      t.clock.advanceSeconds(WRONG_CODES_PER_NETWORK.windowSeconds);
      assert.equal((await guess('10.9.0.1')).statusCode, 200, 'a new window starts over');
    });
  });

  it('records the events Keycloak records', async () => {
    const authErrors = await events('OAUTH2_DEVICE_AUTH_ERROR');
    assert.ok(authErrors.some((e) => e.clientId === 'no-device' && e.error === 'not_allowed'));
    assert.equal((await events('OAUTH2_DEVICE_AUTH')).length, 0, 'Keycloak records no success at the device endpoint');
    const verified = await events('OAUTH2_DEVICE_VERIFY_USER_CODE');
    assert.ok(verified.some((e) => e.clientId === 'tv'));
    const wrong = await events('OAUTH2_DEVICE_VERIFY_USER_CODE_ERROR');
    assert.ok(wrong.some((e) => e.error === 'invalid_oauth2_user_code' && e.details?.reason === 'device code not found (it may already have been used)'));
    const redeemed = await events('OAUTH2_DEVICE_CODE_TO_TOKEN');
    assert.ok(redeemed.some((e) => e.clientId === 'tv-pkce' && e.details?.grant_type === GRANT));
    const pollErrors = (await events('OAUTH2_DEVICE_CODE_TO_TOKEN_ERROR')).map((e) => e.error);
    for (const error of ['slow_down', 'expired_oauth2_device_code', 'invalid_oauth2_device_code', 'access_denied', 'not_allowed']) assert.ok(pollErrors.includes(error), error);
    const logins = await events('LOGIN');
    assert.ok(logins.some((e) => e.clientId === 'tv' && e.details?.consent === 'consent_granted'));
    assert.ok((await events('LOGIN_ERROR')).some((e) => e.clientId === 'tv-two' && e.error === 'rejected_by_user'));
  });
});

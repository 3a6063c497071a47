/**
 * The account REST API (`/realms/{realm}/account`) with real tokens from the token endpoint, as
 * Keycloak 26.7 answers it (shapes compared against a real Keycloak): the profile and its
 * validation, sessions and devices with sign-out of one, the others or all, credentials,
 * applications with revocation of offline access, groups and linked accounts; and every refusal:
 * no, garbage, expired, logged-out, other-audience and service-account tokens, missing roles,
 * other users' session ids, bad bodies, CORS origins. Events are checked as Keycloak records them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, decodeJwt, form, testApp, type TestApp } from '../support/app.ts';
import { clientDefaults, newPasswordCredential, newUser, type LoadedRealm } from '../../src/realm/index.ts';
import { newId } from '../../src/crypto/index.ts';
import { deviceOf } from '../../src/account/device-activity.ts';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const SERVICE = { client_id: 'demo-service', client_secret: 'demo-service-secret' };
const ACCOUNT = '/realms/demo/account';
const APP_ORIGIN = 'http://localhost:3000';

interface Tokens {
  access_token: string;
  refresh_token: string;
}

describe('account REST API', () => {
  let t: TestApp;
  let realm: LoadedRealm;

  before(async () => {
    t = await testApp();
    realm = (await t.ctx.realms.getRealm('demo'))!;
    const repository = t.ctx.realms.repository;
    const accountClient = realm.clientsByClientId.get('account')!;
    const viewProfile = [...realm.rolesById.values()].find((r) => r.clientId === accountClient.id && r.name === 'view-profile')!;
    const now = t.clock.nowMs();
    await repository.createUser(newUser(realm.realm.id, { username: 'bob', email: 'bob@example.com', firstName: 'Bob', lastName: 'Builder' }, now), [realm.realm.settings.attributes.defaultRoleId], await newPasswordCredential('bob', now));
    // Carol may look but not change: view-profile only.
    await repository.createUser(newUser(realm.realm.id, { username: 'carol', email: 'carol@example.com', firstName: 'Carol', lastName: 'C' }, now), [viewProfile.id], await newPasswordCredential('carol', now));
    // A client whose tokens carry no account roles, hence no `account` audience.
    await repository.createClient({ ...clientDefaults(), id: newId(), realmId: realm.realm.id, clientId: 'no-account', publicClient: true, directAccessGrantsEnabled: true, fullScopeAllowed: false });
    // Lightweight tokens carry neither audience nor roles: Keycloak judges them as introspection shows them.
    await repository.createClient({ ...clientDefaults(), id: newId(), realmId: realm.realm.id, clientId: 'light', publicClient: true, directAccessGrantsEnabled: true, attributes: { 'client.use.lightweight.access.token.enabled': 'true' } });
    await repository.updateRealm({ ...realm.realm, settings: { ...realm.realm.settings, eventsEnabled: true } });
    await t.ctx.realms.realmChanged(realm.realm.id);
    realm = (await t.ctx.realms.getRealm('demo'))!;
  });
  after(() => t.close());

  async function login(username: string, options: { userAgent?: string; client?: Record<string, string>; scope?: string } = {}): Promise<Tokens> {
    const response = await t.app.inject({
      method: 'POST',
      url: `${DEMO}/token`,
      headers: { ...form({}).headers, ...(options.userAgent ? { 'user-agent': options.userAgent } : {}) },
      payload: form({ grant_type: 'password', ...(options.client ?? SERVICE), username, password: username, scope: options.scope ?? 'openid' }).payload,
    });
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  }

  function call(method: string, path: string, token: string | undefined, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
    const json = options.body !== undefined || options.raw !== undefined;
    return t.app.inject({
      method: method as 'GET',
      url: `${ACCOUNT}${path}`,
      headers: {
        accept: 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(json ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(json ? { payload: options.raw ?? JSON.stringify(options.body) } : {}),
    });
  }

  const refreshes = async (tokens: Tokens) =>
    (await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, ...SERVICE }) })).statusCode === 200;

  async function events(type: string) {
    await t.ctx.events.writer.flush();
    return t.ctx.events.store.findEvents(realm.realm.id, { types: [type], first: 0, max: 100, ascending: false });
  }

  describe('the profile', () => {
    it('answers Keycloak account UserRepresentation, with the user-profile metadata unless asked without', async () => {
      const { access_token } = await login('alice');
      const response = await call('GET', '', access_token);
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['cache-control'], 'no-cache');
      const body = response.json();
      assert.deepEqual(Object.keys(body), ['id', 'username', 'firstName', 'lastName', 'email', 'emailVerified', 'userProfileMetadata']);
      assert.equal(body.username, 'alice');
      assert.deepEqual(
        body.userProfileMetadata.attributes.map((a: { name: string; readOnly: boolean; required: boolean }) => [a.name, a.readOnly, a.required]),
        [['username', true, true], ['email', false, true], ['firstName', false, true], ['lastName', false, true]],
      );
      const plain = (await call('GET', '?userProfileMetadata=false', access_token)).json();
      assert.deepEqual(plain, { id: body.id, username: 'alice', firstName: 'Alice', lastName: 'Liddell', email: 'alice@example.com', emailVerified: true });
      assert.equal((await call('GET', '?userProfileMetadata=maybe', access_token)).statusCode, 400);
    });

    it("refuses bad profiles with Keycloak's error bodies and changes nothing", async () => {
      const { access_token } = await login('bob');
      const single = await call('POST', '', access_token, { body: { username: 'bob', email: 'nope', firstName: 'Bob', lastName: 'Builder' } });
      assert.equal(single.statusCode, 400);
      const one = { field: 'email', errorMessage: 'error-invalid-email', params: ['${email}', 'nope'] };
      assert.deepEqual(single.json(), { ...one, errors: [one] });
      // Editable attributes a body leaves out are emptied, as in Keycloak: required ones are then missing.
      const partial = await call('POST', '', access_token, { body: { firstName: 'Robert' } });
      assert.equal(partial.statusCode, 400);
      assert.deepEqual(
        partial.json().errors.map((e: { field: string; errorMessage: string }) => [e.field, e.errorMessage]),
        [['email', 'error-user-attribute-required'], ['lastName', 'error-user-attribute-required']],
      );
      const renamed = await call('POST', '', access_token, { body: { username: 'robert', email: 'bob@example.com', firstName: 'Bob', lastName: 'B' } });
      assert.deepEqual(renamed.json().errors, [
        { field: 'username', errorMessage: 'error-user-attribute-read-only', params: ['${username}'] },
        { field: 'username', errorMessage: 'readOnlyUsernameMessage', params: ['${username}'] },
      ]);
      const taken = await call('POST', '', access_token, { body: { email: 'ALICE@example.com', firstName: 'Bob', lastName: 'B' } });
      assert.equal(taken.statusCode, 409);
      const clash = { field: 'email', errorMessage: 'emailExistsMessage', params: ['${email}'] };
      assert.deepEqual(taken.json(), { ...clash, errors: [clash] });
      const unknown = await call('POST', '', access_token, { body: { email: 'b@example.com', firstName: 'B', lastName: 'B', foo: 1 } });
      assert.deepEqual([unknown.statusCode, unknown.json()], [400, { error: 'Invalid json representation for UserRepresentation. Unrecognized field "foo"' }]);
      const broken = await call('POST', '', access_token, { raw: '{"email":' });
      assert.deepEqual([broken.statusCode, broken.json()], [400, { error: 'invalid_request', error_description: 'Cannot parse the JSON' }]);
      for (const body of [[], 'text', { email: 5 }, { attributes: { x: [1] } }, { email: 'x'.repeat(5000) }]) assert.equal((await call('POST', '', access_token, { body })).statusCode, 400, JSON.stringify(body).slice(0, 40));
      assert.deepEqual((await call('GET', '?userProfileMetadata=false', access_token)).json().lastName, 'Builder');
    });

    it('saves a valid change (e-mail no longer verified), records UPDATE_PROFILE with what changed, and echoes of its own representation are accepted', async () => {
      const { access_token } = await login('alice');
      const current = (await call('GET', '', access_token)).json();
      const saved = await call('POST', '', access_token, { body: { ...current, email: 'Alice2@example.com', firstName: 'Alicia' } });
      assert.equal(saved.statusCode, 204, saved.body);
      const after = (await call('GET', '?userProfileMetadata=false', access_token)).json();
      assert.deepEqual([after.email, after.firstName, after.lastName, after.emailVerified], ['alice2@example.com', 'Alicia', 'Liddell', false]);
      const [event] = await events('UPDATE_PROFILE');
      assert.equal(event.clientId, 'account');
      assert.equal(event.userId, current.id);
      assert.deepEqual(event.details, { context: 'ACCOUNT', previous_email: 'alice@example.com', updated_email: 'alice2@example.com', previous_first_name: 'Alice', updated_first_name: 'Alicia' });
      await call('POST', '', access_token, { body: { email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell' } });
    });

    it('needs manage-account to change and view-profile or manage-account to read', async () => {
      const { access_token } = await login('carol');
      assert.equal((await call('GET', '', access_token)).statusCode, 200);
      const refused = await call('POST', '', access_token, { body: { email: 'carol@example.com', firstName: 'C', lastName: 'C' } });
      assert.deepEqual([refused.statusCode, refused.json()], [403, { error: 'HTTP 403 Forbidden' }]);
      assert.equal((await call('DELETE', '/sessions', access_token)).statusCode, 403);
      assert.equal((await call('GET', '/applications', access_token)).statusCode, 403);
      assert.equal((await call('GET', '/groups', access_token)).statusCode, 403);
    });
  });

  describe('who may call', () => {
    it('answers 401 without a valid token of the user, 404 for unknown paths, and the console page to non-JSON requests', async () => {
      const unauthorized = { error: 'HTTP 401 Unauthorized' };
      const tokens = await login('alice');
      for (const token of [undefined, 'garbage', tokens.refresh_token, `${tokens.access_token}x`, 'x'.repeat(20_000)]) {
        const response = await call('GET', '/sessions', token);
        assert.deepEqual([response.statusCode, response.json()], [401, unauthorized], String(token).slice(0, 20));
        assert.equal(response.headers['www-authenticate'], undefined);
      }
      const html = await t.app.inject({ method: 'GET', url: `${ACCOUNT}/sessions`, headers: { accept: 'text/html', authorization: `Bearer ${tokens.access_token}` } });
      // A browser's request is the account console's (its own routes): the page, or 503 when unbuilt.
      assert.ok([200, 503].includes(html.statusCode), String(html.statusCode));
      if (html.statusCode === 200) assert.match(html.body, /id="environment"/);
      const posted = await t.app.inject({ method: 'POST', url: `${ACCOUNT}/sessions`, headers: { accept: 'text/html' } });
      assert.equal(posted.statusCode, 404);
      const unknownPath = await call('GET', '/nope', tokens.access_token);
      assert.deepEqual([unknownPath.statusCode, unknownPath.json()], [404, { error: 'HTTP 404 Not Found' }]);
      const unknownRealm = await t.app.inject({ method: 'GET', url: '/realms/nope/account', headers: { accept: 'application/json' } });
      assert.equal(unknownRealm.statusCode, 404);
    });

    it('refuses tokens without the account audience, of service accounts, expired, or of a session that ended', async () => {
      const other = await login('alice', { client: { client_id: 'no-account' } });
      assert.equal(decodeJwt(other.access_token).aud, undefined);
      assert.equal((await call('GET', '', other.access_token)).statusCode, 401);
      const light = await login('alice', { client: { client_id: 'light' } });
      assert.equal(decodeJwt(light.access_token).resource_access, undefined);
      assert.equal((await call('GET', '', light.access_token)).statusCode, 200, 'a lightweight token is judged by its recomputed claims');
      const service = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'client_credentials', ...SERVICE }) });
      assert.equal((await call('GET', '', service.json().access_token)).statusCode, 401);
      const tokens = await login('alice');
      assert.equal((await call('DELETE', '/sessions?current=true', tokens.access_token)).statusCode, 204);
      assert.equal((await call('GET', '', tokens.access_token)).statusCode, 401, 'its session is gone');
      const late = await login('alice');
      t.clock.advanceSeconds(301);
      assert.equal((await call('GET', '', late.access_token)).statusCode, 401, 'expired');
    });

    it("sets CORS for the token's allowed origins, refuses other origins, and answers preflight requests", async () => {
      const { access_token } = await login('alice');
      const allowed = await call('GET', '/linked-accounts', access_token, { headers: { origin: APP_ORIGIN } });
      assert.equal(allowed.statusCode, 200);
      assert.equal(allowed.headers['access-control-allow-origin'], APP_ORIGIN);
      assert.equal(allowed.headers['access-control-allow-credentials'], 'true');
      const own = await call('GET', '/linked-accounts', access_token, { headers: { origin: 'http://localhost' } });
      assert.deepEqual([own.statusCode, own.headers['access-control-allow-origin']], [200, undefined], 'the server itself needs no CORS');
      const evil = await call('GET', '/linked-accounts', access_token, { headers: { origin: 'https://evil.example' } });
      assert.deepEqual([evil.statusCode, evil.json()], [403, { error: 'Invalid origin' }]);
      assert.equal(evil.headers['access-control-allow-origin'], undefined);
      const preflight = await t.app.inject({ method: 'OPTIONS', url: `${ACCOUNT}/sessions`, headers: { origin: APP_ORIGIN, 'access-control-request-method': 'DELETE' } });
      assert.equal(preflight.statusCode, 200);
      assert.equal(preflight.headers['access-control-allow-origin'], APP_ORIGIN);
      assert.match(String(preflight.headers['access-control-allow-methods']), /DELETE/);
      assert.match(String(preflight.headers['access-control-allow-headers']), /Authorization/);
      const root = await t.app.inject({ method: 'OPTIONS', url: ACCOUNT, headers: { origin: APP_ORIGIN } });
      assert.equal(root.headers['access-control-max-age'], '3600');
    });
  });

  describe('sessions', () => {
    it('lists sessions and devices with browser, OS, IP, times, clients and the current one', async () => {
      await call('DELETE', '/sessions?current=true', (await login('bob')).access_token);
      const { access_token } = await login('bob', { userAgent: FIREFOX });
      await login('bob', { userAgent: IPHONE });
      const sessions = (await call('GET', '/sessions', access_token)).json();
      assert.equal(sessions.length, 2);
      const current = sessions.find((s: { current?: boolean }) => s.current);
      assert.equal(current.id, decodeJwt(access_token).sid);
      assert.deepEqual(Object.keys(current), ['id', 'ipAddress', 'started', 'lastAccess', 'expires', 'clients', 'browser', 'current']);
      assert.equal(current.browser, 'Firefox/128.0');
      assert.equal(current.expires, current.started + realm.realm.settings.ssoSessionMaxLifespan);
      assert.deepEqual(current.clients, [{ clientId: 'demo-service', clientName: 'Demo confidential service', userConsentRequired: false, inUse: false, offlineAccess: false }]);
      const devices = (await call('GET', '/sessions/devices', access_token)).json();
      const byOs = Object.fromEntries(devices.map((d: { os: string }) => [d.os, d]));
      assert.deepEqual(Object.keys(byOs.Linux), ['os', 'osVersion', 'device', 'lastAccess', 'current', 'sessions', 'mobile']);
      assert.deepEqual([byOs.Linux.osVersion, byOs.Linux.device, byOs.Linux.mobile, byOs.Linux.sessions.length], ['Unknown', 'Other', false, 1]);
      assert.deepEqual([byOs.iOS.osVersion, byOs.iOS.device, byOs.iOS.mobile, byOs.iOS.current], ['17.5', 'iPhone', true, undefined]);
      assert.equal(byOs.iOS.sessions[0].browser, 'Mobile Safari/17.5');
      const robot = await login('bob', { userAgent: 'robot' });
      const unknown = (await call('GET', '/sessions', robot.access_token)).json().find((s: { current?: boolean }) => s.current);
      assert.equal(unknown.browser, 'Other/Unknown');
      // Sessions from before User-Agents were kept: Keycloak's unknown device, without a browser.
      assert.deepEqual(deviceOf(undefined), { os: 'Other', osVersion: 'Unknown', device: 'Other', mobile: false });
    });

    it('keeps the browser of a login through the login form', async () => {
      const query = new URLSearchParams({ client_id: 'demo-service', redirect_uri: 'http://localhost:3000/cb', response_type: 'code', scope: 'openid' });
      const page = await t.app.inject({ method: 'GET', url: `${DEMO}/auth?${query}`, headers: { 'user-agent': IPHONE } });
      const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const action = new URL(page.body.match(/action="([^"]+)"/)![1].replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))));
      const done = await t.app.inject({ method: 'POST', url: action.pathname + action.search, ...form({ username: 'alice', password: 'alice' }), headers: { ...form({}).headers, cookie, 'user-agent': IPHONE } });
      const code = new URL(done.headers.location as string).searchParams.get('code')!;
      const tokens = (await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'authorization_code', code, redirect_uri: 'http://localhost:3000/cb', ...SERVICE }) })).json();
      const devices = (await call('GET', '/sessions/devices', tokens.access_token)).json();
      const current = devices.find((d: { current?: boolean }) => d.current);
      assert.deepEqual([current.os, current.mobile, current.sessions.find((s: { current?: boolean }) => s.current).browser], ['iOS', true, 'Mobile Safari/17.5']);
    });

    it("signs out one session of the caller's, never another user's, and the others or all on request", async () => {
      const bob = await login('bob');
      const bobOther = await login('bob');
      const alice = await login('alice');
      const aliceSession = decodeJwt(alice.access_token).sid;
      assert.equal((await call('DELETE', `/sessions/${aliceSession}`, bob.access_token)).statusCode, 204);
      assert.ok(await refreshes(alice), "alice's session is not bob's to end");
      for (const id of ['nope', 'x'.repeat(1000)]) assert.equal((await call('DELETE', `/sessions/${id}`, bob.access_token)).statusCode, 204);
      assert.equal((await call('DELETE', `/sessions/${decodeJwt(bobOther.access_token).sid}`, bob.access_token)).statusCode, 204);
      assert.equal(await refreshes(bobOther), false);
      const logout = (await events('LOGOUT')).find((e) => e.sessionId === decodeJwt(bobOther.access_token).sid);
      assert.deepEqual([logout?.clientId, logout?.userId], ['account', decodeJwt(bob.access_token).sub]);
      assert.equal((await events('LOGOUT')).some((e) => e.sessionId === aliceSession), false);

      const third = await login('bob');
      assert.equal((await call('DELETE', '/sessions', bob.access_token)).statusCode, 204);
      assert.equal(await refreshes(third), false, 'the other sessions end');
      assert.ok(await refreshes(bob), 'the current one stays');
      assert.deepEqual((await call('GET', '/sessions', bob.access_token)).json().map((s: { id: string }) => s.id), [decodeJwt(bob.access_token).sid]);
      assert.equal((await call('DELETE', '/sessions?current=maybe', bob.access_token)).statusCode, 400);
      assert.equal((await call('DELETE', '/sessions?current=true', bob.access_token)).statusCode, 204);
      assert.equal(await refreshes(bob), false);
    });
  });

  describe('credentials', () => {
    it("groups credentials by type as Keycloak, removes an OTP credential with its events, and refuses the password's removal", async () => {
      const { access_token } = await login('alice');
      const user = (await t.ctx.realms.repository.findUserByUsername(realm.realm.id, 'alice'))!;
      const otp = { id: newId(), type: 'otp', userLabel: 'phone', createdDate: t.clock.nowMs(), secretData: '{"value":"JBSWY3DPEHPK3PXP"}', credentialData: '{"subType":"totp","digits":6,"counter":0,"period":30,"algorithm":"HmacSHA1"}', priority: 20 };
      await t.ctx.realms.repository.addCredential(user.id, otp);
      const containers = (await call('GET', '/credentials', access_token)).json();
      assert.deepEqual(containers.map((c: { type: string }) => c.type), ['password', 'otp']);
      const [password, otpContainer] = containers;
      assert.deepEqual(Object.keys(password), ['type', 'category', 'displayName', 'helptext', 'iconCssClass', 'updateAction', 'removeable', 'userCredentialMetadatas']);
      assert.deepEqual([password.category, password.updateAction, password.removeable], ['basic-authentication', 'UPDATE_PASSWORD', false]);
      assert.equal(password.userCredentialMetadatas[0].credential.secretData, undefined);
      assert.deepEqual([otpContainer.category, otpContainer.createAction, otpContainer.removeable], ['two-factor', 'CONFIGURE_TOTP', true]);
      assert.deepEqual(otpContainer.userCredentialMetadatas, [{ credential: { id: otp.id, type: 'otp', userLabel: 'phone', createdDate: otp.createdDate, credentialData: otp.credentialData } }]);
      assert.deepEqual((await call('GET', '/credentials?type=otp&user-credentials=false', access_token)).json().map((c: Record<string, unknown>) => [c.type, 'userCredentialMetadatas' in c]), [['otp', false]]);

      assert.equal((await call('PUT', `/credentials/${otp.id}/label`, access_token, { body: 'my phone' })).statusCode, 204);
      assert.equal((await t.ctx.realms.repository.listCredentials(user.id)).find((c) => c.id === otp.id)?.userLabel, 'my phone');
      assert.equal((await call('PUT', `/credentials/${otp.id}/label`, access_token, { body: { label: 1 } })).statusCode, 400);
      assert.equal((await call('PUT', '/credentials/nope/label', access_token, { body: 'x' })).statusCode, 404);
      otp.userLabel = 'my phone';
      const refused = await call('DELETE', `/credentials/${password.userCredentialMetadatas[0].credential.id}`, access_token);
      assert.deepEqual([refused.statusCode, refused.json()], [400, { error: 'Credential type cannot be removed' }]);
      const unknown = await call('DELETE', '/credentials/nope', access_token);
      assert.deepEqual([unknown.statusCode, unknown.json()], [404, { error: 'Credential not found' }]);
      const bob = await login('bob');
      assert.equal((await call('DELETE', `/credentials/${otp.id}`, bob.access_token)).statusCode, 404, "not bob's credential");
      assert.equal((await call('DELETE', `/credentials/${otp.id}`, access_token)).statusCode, 204);
      assert.deepEqual((await t.ctx.realms.repository.listCredentials(user.id)).map((c) => c.type), ['password']);
      const [removed] = await events('REMOVE_CREDENTIAL');
      assert.deepEqual(removed.details, { credential_type: 'otp', selected_credential_id: otp.id, credential_user_label: 'my phone' });
      assert.equal((await events('REMOVE_TOTP')).length, 1);
    });
  });

  describe('applications, groups, linked accounts', () => {
    it('lists applications in use and with offline access, and revoking ends the offline access', async () => {
      const online = await login('alice');
      const offline = await login('alice', { client: { client_id: 'demo-app' } }).catch(() => undefined);
      assert.equal(offline, undefined, 'demo-app has no direct grants: only demo-service is used here');
      const offlineTokens = await login('alice', { scope: 'openid offline_access' });
      const apps = (await call('GET', '/applications', online.access_token)).json();
      assert.deepEqual(apps, [{ clientId: 'demo-service', clientName: 'Demo confidential service', userConsentRequired: false, inUse: true, offlineAccess: true }]);
      assert.deepEqual((await call('GET', '/applications?name=nothing-like-it', online.access_token)).json(), []);
      const missing = await call('DELETE', '/applications/nope/consent', online.access_token);
      assert.deepEqual([missing.statusCode, missing.json()], [404, { errorMessage: 'No client with clientId: nope found.' }]);
      assert.equal((await call('DELETE', '/applications/demo-service/consent', online.access_token)).statusCode, 204);
      assert.equal(await refreshes(offlineTokens), false, 'the offline token is revoked');
      assert.ok(await refreshes(online), 'without a consent to revoke, online sessions stay');
      assert.equal((await call('GET', '/applications', online.access_token)).json()[0].offlineAccess, false);
      const [revoked] = await events('REVOKE_GRANT');
      assert.deepEqual(revoked.details, { revoked_client: 'demo-service' });
    });

    it('lists groups and no linked accounts', async () => {
      const { access_token } = await login('alice');
      assert.deepEqual((await call('GET', '/groups', access_token)).json(), []);
      const linked = await call('GET', '/linked-accounts', access_token);
      assert.deepEqual([linked.statusCode, linked.json(), linked.headers['cache-control']], [200, [], undefined]);
    });
  });
});

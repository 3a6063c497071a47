/**
 * One-time codes, with codes computed by the test from RFC 6238 / 4226: setting up an
 * authenticator on the CONFIGURE_TOTP page (QR code drawn locally, manual key), the OTP step of
 * the login, wrong and replayed codes refused (also across two nodes sharing PostgreSQL), the
 * password grant's `totp`, brute-force counting of OTP failures, the secret sealed at rest, and
 * Keycloak-format OTP credentials (TOTP and HOTP) imported, used and exported unchanged.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exportRealm } from '../../src/admin/index.ts';
import { newKeyEncryptionKeyText } from '../../src/crypto/index.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { adminCall, adminToken, codeOf, hotp, inputValue, LoginBrowser, passwordGrant, textOf, totp } from './login-browser.ts';

const base32Decode = (text: string): Buffer => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/\s/g, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  return Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
};

describe('OTP setup and login', () => {
  let t: TestApp;
  let token: string;
  let aliceId: string;
  let secret: string;
  before(async () => {
    t = await testApp();
    token = await adminToken(t);
    aliceId = (await adminCall(t, token, 'GET', '/demo/users?username=alice&exact=true')).json()[0].id;
    await adminCall(t, token, 'PUT', `/demo/users/${aliceId}`, { requiredActions: ['CONFIGURE_TOTP'] });
  });
  after(() => t.close());
  const key = () => Buffer.from(secret, 'utf8');

  it('sets up an authenticator on the CONFIGURE_TOTP page', async () => {
    const browser = new LoginBrowser(t);
    let page = await browser.login('alice', 'alice');
    assert.equal(textOf(page.body, 'kc-page-title'), 'Mobile Authenticator Setup');
    assert.match(page.body.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))), /<img id="kc-totp-secret-qr-code" src="data:image\/png;base64,/);
    secret = inputValue(page.body, 'totpSecret');
    assert.equal(secret.length, 20);
    // The manual key is base32 of the secret's bytes, as Keycloak shows it.
    assert.deepEqual(base32Decode(textOf(page.body, 'kc-totp-secret-key')!), key());
    assert.match(page.body, /id="userLabel"/);

    page = await browser.submit(page, 'kc-totp-settings-form', { totp: '', totpSecret: secret, userLabel: 'phone' });
    assert.equal(textOf(page.body, 'input-error-totp'), 'Please specify authenticator code.');
    page = await browser.submit(page, 'kc-totp-settings-form', { totp: '000000', totpSecret: secret, userLabel: 'phone' });
    assert.equal(textOf(page.body, 'input-error-totp'), 'Invalid authenticator code.');
    page = await browser.submit(page, 'kc-totp-settings-form', { totp: totp(key(), t.clock.nowMs()), totpSecret: 'someone-elses-secret', userLabel: 'phone' });
    assert.equal(page.statusCode, 200);
    codeOf(await browser.submit(page, 'kc-totp-settings-form', { totp: totp(key(), t.clock.nowMs()), totpSecret: secret, userLabel: 'phone' }));
  });

  it('stores the credential in Keycloak format, sealed at rest', async () => {
    const stored = (await t.ctx.realms.repository.listCredentials(aliceId)).find((c) => c.type === 'otp')!;
    assert.equal(stored.userLabel, 'phone');
    assert.ok(!stored.secretData.includes(secret), 'the secret must not be stored in clear');
    const exported = (await exportRealm(t.ctx.realms.repository, 'demo', { includeUsers: true })) as any;
    const otp = exported.users.find((u: any) => u.username === 'alice').credentials.find((c: any) => c.type === 'otp');
    assert.equal(otp.secretData, JSON.stringify({ value: secret }));
    assert.deepEqual(JSON.parse(otp.credentialData), { subType: 'totp', digits: 6, counter: 0, period: 30, algorithm: 'HmacSHA1' });
  });

  it('asks for the one-time code after the password, refusing wrong and replayed codes', async () => {
    t.clock.advanceSeconds(60);
    const browser = new LoginBrowser(t);
    let page = await browser.login('alice', 'alice');
    assert.match(page.body, /<form id="kc-otp-login-form"/);
    assert.match(page.body, /<label for="otp">One-time code<\/label>/);
    page = await browser.submit(page, 'kc-otp-login-form', { otp: '123456' });
    assert.equal(textOf(page.body, 'input-error-otp'), 'Invalid authenticator code.');
    const code = totp(key(), t.clock.nowMs());
    codeOf(await browser.submit(page, 'kc-otp-login-form', { otp: code }));

    const replaying = new LoginBrowser(t);
    const replayed = await replaying.submit(await replaying.login('alice', 'alice'), 'kc-otp-login-form', { otp: code });
    assert.equal(textOf(replayed.body, 'input-error-otp'), 'Invalid authenticator code.');
    t.clock.advanceSeconds(30);
    codeOf(await replaying.submit(replayed, 'kc-otp-login-form', { otp: totp(key(), t.clock.nowMs()) }));
  });

  it('requires totp in the password grant', async () => {
    t.clock.advanceSeconds(60);
    const missing = await passwordGrant(t, { username: 'alice', password: 'alice' });
    assert.equal(missing.statusCode, 400, 'as Keycloak 26 answers');
    assert.deepEqual(missing.json(), { error: 'invalid_grant', error_description: 'Invalid user credentials' });
    assert.equal((await passwordGrant(t, { username: 'alice', password: 'alice', totp: '111111' })).statusCode, 400);
    const code = totp(key(), t.clock.nowMs());
    assert.equal((await passwordGrant(t, { username: 'alice', password: 'alice', totp: code })).statusCode, 200);
    assert.equal((await passwordGrant(t, { username: 'alice', password: 'alice', totp: code })).statusCode, 400, 'a used code is refused');
  });

  it('accepts a used code again when the realm sets otpPolicyCodeReusable', async () => {
    t.clock.advanceSeconds(60);
    token = await adminToken(t);
    assert.equal((await adminCall(t, token, 'PUT', '/demo', { otpPolicyCodeReusable: true })).statusCode, 204);
    const code = totp(key(), t.clock.nowMs());
    assert.equal((await passwordGrant(t, { username: 'alice', password: 'alice', totp: code })).statusCode, 200);
    assert.equal((await passwordGrant(t, { username: 'alice', password: 'alice', totp: code })).statusCode, 200);
    assert.equal((await adminCall(t, token, 'PUT', '/demo', { otpPolicyCodeReusable: false })).statusCode, 204);
  });

  it('counts OTP failures for brute-force detection', async () => {
    t.clock.advanceSeconds(60);
    token = await adminToken(t);
    assert.equal((await adminCall(t, token, 'PUT', '/demo', { bruteForceProtected: true, failureFactor: 3 })).statusCode, 204);
    const browser = new LoginBrowser(t);
    let page = await browser.login('alice', 'alice');
    // Apart by more than the quick-login check, so each failure counts rather than locking at once.
    for (let i = 0; i < 3; i++) {
      t.clock.advanceSeconds(61);
      page = await browser.submit(page, 'kc-otp-login-form', { otp: '000000' });
    }
    const status = (await adminCall(t, token, 'GET', `/demo/attack-detection/brute-force/users/${aliceId}`)).json();
    assert.equal(status.numFailures, 3);
    assert.equal(status.disabled, true);
    page = await browser.submit(page, 'kc-otp-login-form', { otp: totp(key(), t.clock.nowMs()) });
    assert.equal(textOf(page.body, 'input-error-otp'), 'Invalid authenticator code.', 'a locked-out user is refused even with the right code');
    token = await adminToken(t);
    await adminCall(t, token, 'DELETE', `/demo/attack-detection/brute-force/users/${aliceId}`);
    await adminCall(t, token, 'PUT', '/demo', { bruteForceProtected: false });
  });

  it('refuses OTP policies outside the bounds a login can honour', async () => {
    const refused = await adminCall(t, token, 'PUT', '/demo', { otpPolicyDigits: 12 });
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().field, 'otpPolicyDigits');
    const rep = (await adminCall(t, token, 'GET', '/demo')).json();
    assert.equal(rep.otpPolicyType, 'totp');
    assert.equal(rep.otpPolicyLookAheadWindow, 1);
    assert.deepEqual(rep.otpSupportedApplications, ['totpAppFreeOTPName', 'totpAppGoogleName', 'totpAppMicrosoftAuthenticatorName']);
  });
});

/** A Keycloak 26 export's users with OTP credentials (TOTP, and HOTP with a counter). */
const TOTP_SECRET = 'kcSecret0123456789ab';
const HOTP_SECRET = 'hotpSecret0123456789';
function realmFile(name: string) {
  return {
    realm: name,
    enabled: true,
    otpPolicyType: 'totp',
    clients: [{ clientId: 'cli', publicClient: true, directAccessGrantsEnabled: true, redirectUris: ['http://localhost:3000/*'] }],
    users: [
      {
        username: 'tina',
        enabled: true,
        credentials: [
          { type: 'password', value: 'tina' },
          { id: 'c0ffee00-0000-4000-8000-000000000001', type: 'otp', userLabel: 'FreeOTP', createdDate: 1700000000000, secretData: JSON.stringify({ value: TOTP_SECRET }), credentialData: JSON.stringify({ subType: 'totp', digits: 6, counter: 0, period: 30, algorithm: 'HmacSHA1' }) },
        ],
      },
      {
        username: 'hugo',
        enabled: true,
        credentials: [
          { type: 'password', value: 'hugo' },
          { type: 'otp', secretData: JSON.stringify({ value: HOTP_SECRET }), credentialData: JSON.stringify({ subType: 'hotp', digits: 6, counter: 5, period: 30, algorithm: 'HmacSHA1' }) },
        ],
      },
    ],
  };
}

describe('imported Keycloak OTP credentials', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await testApp();
    token = await adminToken(t);
    assert.equal((await adminCall(t, token, 'POST', '', realmFile('imported'))).statusCode, 201);
  });
  after(() => t.close());
  const grant = (fields: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: '/realms/imported/protocol/openid-connect/token', payload: new URLSearchParams({ grant_type: 'password', client_id: 'cli', ...fields }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

  it('logs in with the code the TOTP secret produces and exports it unchanged', async () => {
    const code = totp(Buffer.from(TOTP_SECRET, 'utf8'), t.clock.nowMs());
    assert.equal((await grant({ username: 'tina', password: 'tina', totp: code })).statusCode, 200);
    const exported = (await exportRealm(t.ctx.realms.repository, 'imported', { includeUsers: true })) as any;
    const otp = exported.users.find((u: any) => u.username === 'tina').credentials.find((c: any) => c.type === 'otp');
    assert.equal(otp.secretData, JSON.stringify({ value: TOTP_SECRET }));
    assert.equal(otp.credentialData, JSON.stringify({ subType: 'totp', digits: 6, counter: 0, period: 30, algorithm: 'HmacSHA1' }));
    assert.equal(otp.id, 'c0ffee00-0000-4000-8000-000000000001');
  });

  it('moves an HOTP counter past each code used, so a code counts once', async () => {
    const key = Buffer.from(HOTP_SECRET, 'utf8');
    assert.equal((await grant({ username: 'hugo', password: 'hugo', totp: hotp(key, 4) })).statusCode, 400, 'below the counter');
    assert.equal((await grant({ username: 'hugo', password: 'hugo', totp: hotp(key, 6) })).statusCode, 200, 'within the look-ahead window');
    assert.equal((await grant({ username: 'hugo', password: 'hugo', totp: hotp(key, 6) })).statusCode, 400, 'used');
    assert.equal((await grant({ username: 'hugo', password: 'hugo', totp: hotp(key, 7) })).statusCode, 200);
  });

  it('refuses an OTP credential a login could not verify, naming its path', async () => {
    const file = realmFile('broken');
    file.users[0].credentials[1].credentialData = JSON.stringify({ subType: 'sms', digits: 6, counter: 0, period: 30, algorithm: 'HmacSHA1' });
    const refused = await adminCall(t, token, 'POST', '', file);
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().field, 'users[0].credentials[1]');
  });
});

describe('OTP replay across two nodes on PostgreSQL', () => {
  let database: FreshDatabase | undefined;
  let unavailable: string | undefined;
  const nodes: TestApp[] = [];
  before(async () => {
    try {
      database = await freshDatabase('holdfast_authn');
    } catch (error) {
      unavailable = (error as Error).message;
      return;
    }
    const kek = { variable: 'HOLDFAST_KEK', value: newKeyEncryptionKeyText() };
    nodes.push(await testApp({ db: 'postgres', dbUrl: database.url, kek }));
    nodes.push(await testApp({ db: 'postgres', dbUrl: database.url, kek }));
  });
  after(async () => {
    for (const node of nodes) await node.close();
    await database?.drop();
  });

  it('refuses on the second node a code the first accepted', async (context) => {
    if (unavailable) return context.skip(unavailable);
    const [a, b] = nodes;
    const token = await adminToken(a);
    assert.equal((await adminCall(a, token, 'POST', '', realmFile('shared'))).statusCode, 201);
    const grant = (t: TestApp, code: string) =>
      t.app.inject({ method: 'POST', url: '/realms/shared/protocol/openid-connect/token', payload: new URLSearchParams({ grant_type: 'password', client_id: 'cli', username: 'tina', password: 'tina', totp: code }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const code = totp(Buffer.from(TOTP_SECRET, 'utf8'), a.clock.nowMs());
    assert.equal((await grant(a, code)).statusCode, 200);
    assert.equal((await grant(b, code)).statusCode, 400);
  });
});

/**
 * The acceptance path in a real browser (Chromium through playwright-core): a user with a
 * temporary password and an authenticator signs in, gives the one-time code, is sent to the
 * update-password page, sets a new password and reaches the client with a code; afterwards only
 * the new password works. Screenshots of the login, OTP and update-password pages go to
 * test-artifacts/ (not committed). Skipped without Chromium at /usr/bin/chromium.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { adminClient, startAdminServer, tokenFor, type AdminServer } from '../admin/admin-support.ts';
import { totp } from './login-browser.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');
const REDIRECT = 'http://localhost:3000/cb';
const SECRET = 'browserTestSecret123';
const missing = fs.existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM}`;

describe('temporary password in Chromium', { skip: missing }, () => {
  let server: AdminServer;
  let browser: Browser;
  before(async () => {
    server = await startAdminServer();
    const kc = await adminClient(server.url, {}, 'demo');
    // The same code is accepted twice, so the test can check the new password with the code it just used.
    await kc.realms.update({ realm: 'demo' }, { otpPolicyCodeReusable: true });
    const alice = (await kc.users.find({ username: 'alice', exact: true }))[0];
    const otp = { type: 'otp', userLabel: 'phone', secretData: JSON.stringify({ value: SECRET }), credentialData: JSON.stringify({ subType: 'totp', digits: 6, counter: 0, period: 30, algorithm: 'HmacSHA1' }) };
    await kc.users.update({ id: alice.id! }, { credentials: [otp] });
    await kc.users.resetPassword({ id: alice.id!, credential: { type: 'password', value: 'Temporary-1', temporary: true } });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 60_000, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in, gives the code, updates the password and reaches the client', async () => {
    const page = await browser.newPage({ viewport: { width: 420, height: 820 } });
    const query = new URLSearchParams({ client_id: 'demo-service', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: 'browser' });
    await page.goto(`${server.url}/realms/demo/protocol/openid-connect/auth?${query}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'login.png'), fullPage: true });
    await page.fill('#username', 'alice');
    await page.fill('#password', 'Temporary-1');
    await page.click('#kc-login');

    await page.waitForSelector('#otp');
    assert.equal(await page.textContent('label[for="otp"]'), 'One-time code');
    await page.screenshot({ path: path.join(ARTIFACTS, 'otp.png'), fullPage: true });
    const code = totp(Buffer.from(SECRET, 'utf8'), Date.now());
    await page.fill('#otp', code);
    await page.click('#kc-login');

    await page.waitForSelector('#password-new');
    assert.equal(await page.textContent('#kc-page-title'), 'Update password');
    await page.fill('#password-new', 'Brand-new-2');
    await page.fill('#password-confirm', 'does not match');
    await page.click('#kc-submit');
    await page.waitForSelector('#input-error-password-confirm');
    await page.screenshot({ path: path.join(ARTIFACTS, 'update-password.png'), fullPage: true });
    await page.fill('#password-new', 'Brand-new-2');
    await page.fill('#password-confirm', 'Brand-new-2');
    // Nothing listens at the client's redirect URI: the browser's request to it is the answer.
    const redirected = page.waitForRequest((request) => request.url().startsWith(REDIRECT), { timeout: 20_000 });
    await page.click('#kc-submit').catch(() => undefined);
    const location = new URL((await redirected).url());
    assert.ok(location.searchParams.get('code'));
    assert.equal(location.searchParams.get('state'), 'browser');
    await page.close();

    const grant = (password: string) => tokenFor(server.url, 'demo', { grant_type: 'password', client_id: 'demo-service', client_secret: 'demo-service-secret', username: 'alice', password, totp: code });
    assert.equal((await grant('Temporary-1')).status, 401);
    assert.equal((await grant('Brand-new-2')).status, 200);
  });
});

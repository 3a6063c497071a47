/**
 * The theme in a real browser (Chromium through playwright-core): the login, one-time code,
 * update-password and error pages at desktop and phone width, saved as screenshots to
 * artifacts/screenshots/ (not committed); the form works with the keyboard alone; nothing
 * overflows a 375 px screen; the language picker switches the page to German. Skipped without
 * Chromium at /usr/bin/chromium.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { adminClient, startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { totp } from '../authn/login-browser.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../artifacts/screenshots');
const REDIRECT = 'http://localhost:3000/cb';
const SECRET = 'themeBrowserSecret42';
const missing = fs.existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM}`;
const SIZES = { desktop: { width: 1280, height: 860 }, phone: { width: 375, height: 760 } } as const;

describe('login theme in Chromium', { skip: missing }, () => {
  let server: AdminServer;
  let browser: Browser;
  let authUrl: string;

  before(async () => {
    server = await startAdminServer();
    const kc = await adminClient(server.url, {}, 'demo');
    await kc.realms.update({ realm: 'demo' }, { internationalizationEnabled: true, supportedLocales: ['en', 'de', 'fr', 'es', 'pt-BR', 'ja'], defaultLocale: 'en', resetPasswordAllowed: true, otpPolicyCodeReusable: true });
    const alice = (await kc.users.find({ username: 'alice', exact: true }))[0];
    const otp = { type: 'otp', userLabel: 'phone', secretData: JSON.stringify({ value: SECRET }), credentialData: JSON.stringify({ subType: 'totp', digits: 6, counter: 0, period: 30, algorithm: 'HmacSHA1' }) };
    await kc.users.update({ id: alice.id! }, { credentials: [otp] });
    await kc.users.resetPassword({ id: alice.id!, credential: { type: 'password', value: 'Temporary-1', temporary: true } });
    authUrl = `${server.url}/realms/demo/protocol/openid-connect/auth?${new URLSearchParams({ client_id: 'demo-service', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', ui_locales: 'en' })}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 60_000, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name}: the page is ${overflow}px wider than the screen`);
  }

  for (const [size, viewport] of Object.entries(SIZES)) {
    it(`login, wrong password, one-time code, update password and error pages (${size})`, async () => {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
      const page = await context.newPage();
      await page.goto(authUrl);
      assert.equal(await page.textContent('#kc-page-title'), 'Sign in to your account');
      assert.equal(await page.getAttribute('link[rel="stylesheet"]', 'href').then((href) => href && new URL(href, server.url).pathname.startsWith('/resources/')), true);
      assert.notEqual(await page.evaluate(() => getComputedStyle(document.querySelector('.kc-card')!).backgroundColor), 'rgba(0, 0, 0, 0)', 'the stylesheet applies');
      await shoot(page, `login-${size}`);

      // The keyboard alone: the username has focus, Tab moves on, Enter sends the form.
      await page.keyboard.type('alice');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');
      await page.keyboard.type('wrong-password');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#input-error');
      assert.equal(await page.getAttribute('#password', 'aria-invalid'), 'true');
      assert.equal(await page.getAttribute('#password', 'aria-describedby'), 'input-error');
      await shoot(page, `login-error-${size}`);

      await page.fill('#password', 'Temporary-1');
      await page.click('#kc-login');
      await page.waitForSelector('#otp');
      assert.equal(await page.textContent('label[for="otp"]'), 'One-time code');
      await shoot(page, `otp-${size}`);
      await page.fill('#otp', totp(Buffer.from(SECRET, 'utf8'), Date.now()));
      await page.click('#kc-login');

      await page.waitForSelector('#password-new');
      assert.equal(await page.textContent('#kc-page-title'), 'Update password');
      await page.fill('#password-new', 'a');
      await page.fill('#password-confirm', 'b');
      await page.click('#kc-submit');
      await page.waitForSelector('#input-error-password-confirm');
      await shoot(page, `update-password-${size}`);

      await page.goto(`${server.url}/realms/demo/protocol/openid-connect/auth?client_id=no-such-client`);
      assert.equal(await page.textContent('#kc-error-message'), 'Client not found.');
      await shoot(page, `error-${size}`);
      await context.close();
    });
  }

  it('switches the login to German with the language picker, by keyboard', async () => {
    const context = await browser.newContext({ viewport: SIZES.phone });
    const page = await context.newPage();
    await page.goto(authUrl);
    await page.focus('#kc-current-locale-link');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#kc-locale-dropdown a[hreflang="de"]', { state: 'visible' });
    await shoot(page, 'language-picker-phone');
    await page.click('#kc-locale-dropdown a[hreflang="de"]');
    await page.waitForSelector('html[lang="de"]');
    assert.equal(await page.textContent('#kc-page-title'), 'Melden Sie sich bei Ihrem Konto an');
    assert.equal(await page.textContent('label[for="username"]'), 'Benutzername oder E-Mail');
    await shoot(page, 'login-de-phone');
    await page.setViewportSize(SIZES.desktop);
    await shoot(page, 'login-de-desktop');
    await context.close();
  });
});

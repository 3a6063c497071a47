/**
 * The account console (Keycloak's own `@keycloak/keycloak-account-ui` pages, unmodified) in a real
 * Chromium against a holdfast process: the page is served with its environment in a JSON block
 * and a CSP without inline script; the same user signs in from two browsers (two user agents);
 * device activity lists both, with browser and OS, IP, last access and "Current session" on the
 * signing-in one; signing the other device out ends that session (its refresh token is refused)
 * while the current one still refreshes; a personal-info edit is saved. Every request goes to
 * holdfast and nothing logs an error.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningHoldfast } from '../support/process.ts';
import { adminToken, chromiumMissing, recordPage, screenshot, STEP_TIMEOUT, type PageRecord, useConsoleFixture } from '../support/console.ts';

const missing = chromiumMissing('account console test');

const LINUX_CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const WINDOWS_FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const USER = { username: 'dora', password: 'dora-password-1' };

interface SignedIn {
  context: BrowserContext;
  page: Page;
  record: PageRecord;
  /** The refresh token of the console's latest token response. */
  refreshToken(): string;
}

/** Opens the account console in a new browser with `userAgent` and signs in on holdfast's page. */
async function signIn(browser: Browser, server: RunningHoldfast, userAgent: string): Promise<SignedIn> {
  const context = await browser.newContext({ userAgent });
  const page = await context.newPage();
  const record = recordPage(page);
  let refreshToken = '';
  page.on('response', async (response) => {
    if (!response.url().endsWith('/protocol/openid-connect/token') || !response.ok()) return;
    const body = (await response.json().catch(() => undefined)) as { refresh_token?: string } | undefined;
    if (body?.refresh_token) refreshToken = body.refresh_token;
  });
  await page.goto(`${server.url}/realms/demo/account/`);
  await page.waitForSelector('#kc-form-login', { timeout: STEP_TIMEOUT });
  await page.fill('#username', USER.username);
  await page.fill('#password', USER.password);
  await page.click('#kc-login');
  await page.waitForSelector('#firstName', { timeout: STEP_TIMEOUT });
  return { context, page, record, refreshToken: () => refreshToken };
}

async function refresh(server: RunningHoldfast, refreshToken: string): Promise<Response> {
  return fetch(`${server.url}/realms/demo/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'account-console', refresh_token: refreshToken }),
  });
}

describe('account console', { skip: missing }, () => {
  let server: RunningHoldfast;
  let browser: Browser;
  useConsoleFixture(async (started) => {
    ({ server, browser } = started);
    const token = await adminToken(server.url);
    const created = await fetch(`${server.url}/admin/realms/demo/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...USER, password: undefined, enabled: true, firstName: 'Dora', lastName: 'Explorer', email: 'dora@example.test', emailVerified: true, credentials: [{ type: 'password', value: USER.password, temporary: false }] }),
    });
    assert.equal(created.status, 201, await created.text());
  });

  it('serves the console page with its environment as data, a CSP without inline script, and immutable built files', async () => {
    const page = await fetch(`${server.url}/realms/demo/account/`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(page.headers.get('cache-control') ?? '', /no-cache/);
    const html = await page.text();
    const environment = JSON.parse(/<script type="application\/json" id="environment">([^<]*)<\/script>/.exec(html)![1]);
    assert.equal(environment.clientId, 'account-console');
    assert.equal(environment.realm, 'demo');
    assert.equal(environment.baseUrl, `${server.url}/realms/demo/account/`);
    const script = /<script type="module" src="([^"]+)"/.exec(html)![1];
    assert.ok(script.startsWith(`${environment.resourceUrl}/`));
    const file = await fetch(script);
    assert.equal(file.status, 200);
    assert.match(file.headers.get('cache-control') ?? '', /immutable/);
    const menu = await fetch(`${environment.resourceUrl}/content.json`);
    assert.ok(Array.isArray(await menu.json()));
    // A deep link of the app gets the same page; the API still answers JSON callers.
    assert.equal((await fetch(`${server.url}/realms/demo/account/account-security/device-activity`)).status, 200);
    assert.equal((await fetch(`${server.url}/realms/demo/account/`, { headers: { accept: 'application/json' } })).status, 401);
    assert.equal((await fetch(`${server.url}/realms/no-such-realm/account/`)).status, 404);
    const texts = (await (await fetch(`${server.url}/resources/demo/account/en`)).json()) as Array<{ key: string; value: string }>;
    assert.equal(texts.find((t) => t.key === 'deviceActivity')?.value, 'Device activity');
  });

  it('shows both devices of the user, signs the other one out and keeps this one', async () => {
    const here = await signIn(browser, server, LINUX_CHROME);
    const there = await signIn(browser, server, WINDOWS_FIREFOX);
    try {
      // The menu's group is folded on the personal-info page.
      await here.page.getByRole('button', { name: 'Account security' }).click();
      await here.page.click('[data-testid="account-security/device-activity"]');
      const sessions = here.page.locator('[aria-label=device-sessions-content]');
      await sessions.nth(1).waitFor({ timeout: STEP_TIMEOUT });
      assert.equal(await sessions.count(), 2);
      const titles = await here.page.locator('.session-title').allTextContents();
      assert.ok(titles.some((t) => /Linux/.test(t) && /Chrome/.test(t)), titles.join(' | '));
      assert.ok(titles.some((t) => /Windows/.test(t) && /Firefox/.test(t)), titles.join(' | '));
      const current = sessions.filter({ hasText: 'Current session' });
      assert.equal(await current.count(), 1);
      assert.match((await current.textContent()) ?? '', /Linux/);
      assert.match((await current.textContent()) ?? '', /127\.0\.0\.1/);
      assert.match((await current.textContent()) ?? '', /Last accessed/);
      await screenshot(here.page, 'account-device-activity');

      const other = sessions.filter({ hasText: 'Firefox' });
      await other.getByRole('button', { name: 'Sign out' }).click();
      await here.page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await here.page.waitForFunction(() => document.querySelectorAll('[aria-label=device-sessions-content]').length === 1, undefined, { timeout: STEP_TIMEOUT });

      const refused = await refresh(server, there.refreshToken());
      assert.equal(refused.status, 400);
      assert.equal(((await refused.json()) as { error: string }).error, 'invalid_grant');
      assert.equal((await refresh(server, here.refreshToken())).status, 200);

      for (const { record } of [here, there]) {
        assert.deepEqual(record.foreign(server.url), []);
        assert.deepEqual(record.errors, []);
      }
    } finally {
      await here.context.close();
      await there.context.close();
    }
  });

  it('saves a personal-info edit', async () => {
    const here = await signIn(browser, server, LINUX_CHROME);
    try {
      await here.page.fill('#firstName', 'Dorothea');
      await here.page.click('[data-testid=save]');
      await here.page.getByText('Your account has been saved.').waitFor({ timeout: STEP_TIMEOUT });
      const token = await adminToken(server.url);
      const [user] = (await (await fetch(`${server.url}/admin/realms/demo/users?username=${USER.username}&exact=true`, { headers: { authorization: `Bearer ${token}` } })).json()) as Array<{ firstName: string }>;
      assert.equal(user.firstName, 'Dorothea');
      assert.deepEqual(here.record.foreign(server.url), []);
      assert.deepEqual(here.record.errors, []);
    } finally {
      await here.context.close();
    }
  });
});

/**
 * The admin console's realm-wide Sessions page in a real Chromium against a holdfast process:
 * sessions made by two real logins are listed and found by a server-side search, the offline
 * filter lists none of them, and one signed out from the page loses its refresh token while the
 * other still refreshes. Every request goes to holdfast and nothing logs an error.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { RunningHoldfast } from '../support/process.ts';
import { CookieJar } from '../support/browser.ts';
import { codeThroughLogin, redeemCode, refresh } from '../support/oidc-requests.ts';
import { chromiumMissing, consoleLogin, recordPage, screenshot, STEP_TIMEOUT, useConsoleFixture } from '../support/console.ts';

const missing = chromiumMissing('admin console sessions test');

const sessionIdOf = (accessToken: string): string => JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).sid;

describe('admin console sessions', { skip: missing }, () => {
  let server: RunningHoldfast;
  let browser: Browser;
  useConsoleFixture((started) => {
    ({ server, browser } = started);
  });

  it('lists real logins, searches them, filters offline, and signs one out: its refresh token is refused', async () => {
    const tokens = [];
    for (let i = 0; i < 2; i++) {
      const issued = await redeemCode(server.url, await codeThroughLogin(server.url, new CookieJar()));
      assert.equal(issued.status, 200);
      tokens.push(issued.body as { access_token: string; refresh_token: string });
    }
    const [gone, kept] = tokens.map((t) => ({ ...t, sid: sessionIdOf(t.access_token) }));

    const context = await browser.newContext();
    const page = await context.newPage();
    const record = recordPage(page);
    await consoleLogin(page, server.url, 'master', 'admin', 'admin');
    await page.goto(`${server.url}/admin/master/console/#/demo/sessions`);
    await page.waitForSelector(`[data-testid="sign-out-${kept.sid}"]`, { timeout: STEP_TIMEOUT });
    await page.waitForSelector(`[data-testid="sign-out-${gone.sid}"]`, { timeout: STEP_TIMEOUT });
    await page.waitForSelector('[data-testid=page-range]:has-text("of 2")', { timeout: STEP_TIMEOUT });
    await screenshot(page, 'admin-sessions');

    await page.fill('[data-testid=realm-sessions] input[type=search]', 'alice');
    await page.press('[data-testid=realm-sessions] input[type=search]', 'Enter');
    await page.waitForSelector(`[data-testid="sign-out-${kept.sid}"]`, { timeout: STEP_TIMEOUT });
    await page.fill('[data-testid=realm-sessions] input[type=search]', 'nobody-like-this');
    await page.press('[data-testid=realm-sessions] input[type=search]', 'Enter');
    await page.waitForSelector(`[data-testid="sign-out-${kept.sid}"]`, { state: 'detached', timeout: STEP_TIMEOUT });
    await page.fill('[data-testid=realm-sessions] input[type=search]', '');
    await page.press('[data-testid=realm-sessions] input[type=search]', 'Enter');

    await page.selectOption('[data-testid=session-type]', 'OFFLINE');
    await page.waitForSelector('[data-testid=realm-sessions] td:text-is("No sessions")', { timeout: STEP_TIMEOUT });
    await page.selectOption('[data-testid=session-type]', 'ALL');

    await page.click(`[data-testid="sign-out-${gone.sid}"]`, { timeout: STEP_TIMEOUT });
    await page.click('dialog[open] [data-testid=confirm]');
    await page.waitForSelector('[data-testid=alert-success]', { timeout: STEP_TIMEOUT });
    await page.waitForSelector(`[data-testid="sign-out-${gone.sid}"]`, { state: 'detached', timeout: STEP_TIMEOUT });

    const refused = await refresh(server.url, gone.refresh_token);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');
    assert.equal((await refresh(server.url, kept.refresh_token)).status, 200);
    assert.deepEqual(record.foreign(server.url), []);
    assert.deepEqual(record.errors, []);
    await context.close();
  });
});

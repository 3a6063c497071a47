/**
 * The admin console's realm-wide Sessions page in a real Chromium against a holdfast process:
 * sessions made by two real logins are listed and found by a server-side search, the offline
 * filter lists none of them, and one signed out from the page loses its refresh token while the
 * other still refreshes; the per-client counts, the Refresh button, paging past ten and "sign out all" are checked
 * against the API's results. Every request goes to holdfast and nothing logs an error.
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

  it('lists real logins, searches them, filters offline, signs one out (its refresh token is refused), shows per-client counts, picks up new logins on Refresh, pages on the server and signs all out', async () => {
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

    // Per-client counts come from client-session-stats: the one session left is demo-service's.
    await page.click('[data-testid=client-session-stats] summary');
    await page.waitForSelector('[data-testid=client-session-stats] tr:has(td:text-is("demo-service")):has(td:text-is("1"))', { timeout: STEP_TIMEOUT });

    // A login made after the page loaded shows up on Refresh, in the list, the total and the counts.
    const later = await redeemCode(server.url, await codeThroughLogin(server.url, new CookieJar()));
    assert.equal(later.status, 200);
    const laterSid = sessionIdOf((later.body as { access_token: string }).access_token);
    await page.click('[data-testid=sessions-refresh]');
    await page.waitForSelector(`[data-testid="sign-out-${laterSid}"]`, { timeout: STEP_TIMEOUT });
    await page.waitForSelector('[data-testid=page-range]:has-text("of 2")', { timeout: STEP_TIMEOUT });
    await page.waitForSelector('[data-testid=client-session-stats] tr:has(td:text-is("demo-service")):has(td:text-is("2"))', { timeout: STEP_TIMEOUT });

    // Paging is the server's: nine more logins make eleven, shown ten to a page and the last on Next.
    for (let i = 0; i < 9; i++) assert.equal((await redeemCode(server.url, await codeThroughLogin(server.url, new CookieJar()))).status, 200);
    await page.click('[data-testid=sessions-refresh]');
    await page.waitForSelector('[data-testid=page-range]:has-text("1–10 of 11")', { timeout: STEP_TIMEOUT });
    await page.click('[data-testid=realm-sessions] nav.pager button:text-is("Next")');
    await page.waitForSelector('[data-testid=page-range]:has-text("11–11 of 11")', { timeout: STEP_TIMEOUT });
    assert.equal(await page.locator('[data-testid=realm-sessions] tbody tr').count(), 1);

    // "Sign out all active sessions" asks first, then ends every one: both refresh tokens are refused.
    await page.click('[data-testid=sign-out-all]');
    await page.click('dialog[open] [data-testid=confirm]');
    await page.waitForSelector('[data-testid=realm-sessions] td:text-is("No sessions")', { timeout: STEP_TIMEOUT });
    assert.equal((await refresh(server.url, kept.refresh_token)).status, 400);
    assert.equal((await refresh(server.url, (later.body as { refresh_token: string }).refresh_token)).status, 400);
    assert.deepEqual(record.foreign(server.url), []);
    assert.deepEqual(record.errors, []);
    await context.close();
  });
});

/**
 * The admin console's user pages in a real Chromium against a holdfast process: a user's two
 * sessions (two separate code-flow logins) on the Sessions tab, one signed out from there (its
 * refresh token is refused, the other still refreshes); a user created and given a password in
 * the UI logs in with the password grant, and after a brute-force lockout again once Unlock is
 * confirmed on its Details tab; a realm role, a group and its child made in the UI,
 * with realm and client roles mapped to the group; a realm-scoped admin sees only that realm and no
 * actions their roles do not allow. Every request goes to holdfast and nothing logs an error.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { RunningHoldfast } from '../support/process.ts';
import { CookieJar } from '../support/browser.ts';
import { codeThroughLogin, passwordGrant, redeemCode, refresh } from '../support/oidc-requests.ts';
import { adminToken, chromiumMissing, consoleLogin, recordPage, screenshot, STEP_TIMEOUT, type PageRecord, useConsoleFixture } from '../support/console.ts';

const missing = chromiumMissing('admin console users test');

async function api<T = unknown>(server: RunningHoldfast, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}/admin/realms${path}`, {
    method,
    headers: { authorization: `Bearer ${await adminToken(server.url)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function userId(server: RunningHoldfast, realm: string, username: string): Promise<string> {
  const [user] = await api<Array<{ id: string }>>(server, 'GET', `/${realm}/users?username=${username}&exact=true`);
  return user.id;
}

function sessionIdOf(accessToken: string): string {
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).sid;
}

function assertClean(record: PageRecord, server: RunningHoldfast): void {
  assert.deepEqual(record.foreign(server.url), []);
  assert.deepEqual(record.errors, []);
}

describe('admin console users', { skip: missing }, () => {
  let server: RunningHoldfast;
  let browser: Browser;
  useConsoleFixture((started) => {
    ({ server, browser } = started);
  });

  async function adminPage(): Promise<{ page: Page; record: PageRecord }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const record = recordPage(page);
    await consoleLogin(page, server.url, 'master', 'admin', 'admin');
    return { page, record };
  }

  it("signs one of a user's two sessions out from the Sessions tab: its refresh token is refused, the other's still works", async () => {
    // Two separate logins of alice (two cookie jars), each through the login form with code + PKCE.
    const tokens = [];
    for (let i = 0; i < 2; i++) {
      const issued = await redeemCode(server.url, await codeThroughLogin(server.url, new CookieJar()));
      assert.equal(issued.status, 200);
      tokens.push(issued.body as { access_token: string; refresh_token: string });
    }
    const [gone, kept] = tokens.map((t) => ({ ...t, sid: sessionIdOf(t.access_token) }));
    assert.notEqual(gone.sid, kept.sid);

    const { page, record } = await adminPage();
    await page.goto(`${server.url}/admin/master/console/#/demo/users`);
    await page.fill('[data-testid=users-table] input[type=search]', 'alice');
    await page.press('[data-testid=users-table] input[type=search]', 'Enter');
    await page.click('[data-testid=users-table] a:text-is("alice")', { timeout: STEP_TIMEOUT });
    await page.click('[data-testid=tab-sessions]');
    await page.waitForSelector(`[data-session-id="${kept.sid}"]`, { timeout: STEP_TIMEOUT });
    assert.equal(await page.locator('[data-testid=session-row]').count(), 2);
    await screenshot(page, 'admin-user-sessions');

    await page.click(`[data-testid="sign-out-${gone.sid}"]`);
    await page.click('dialog[open] [data-testid=confirm]');
    await page.waitForSelector(`[data-session-id="${gone.sid}"]`, { state: 'detached', timeout: STEP_TIMEOUT });
    await page.waitForSelector('[data-testid=alert-success]', { timeout: STEP_TIMEOUT });
    assert.equal(await page.locator('[data-testid=session-row]').count(), 1);

    const refused = await refresh(server.url, gone.refresh_token);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');
    assert.equal((await refresh(server.url, kept.refresh_token)).status, 200);
    assertClean(record, server);
    await page.context().close();
  });

  it('creates a user and sets a password in the UI; the password grant then works, and Unlock on the Details tab ends a brute-force lockout', async () => {
    const { page, record } = await adminPage();
    await page.goto(`${server.url}/admin/master/console/#/demo/users`);
    await page.click('[data-testid=users-create]');
    await page.fill('#user-username', 'console-made');
    await page.fill('#user-email', 'console-made@example.test');
    await page.fill('#user-firstName', 'Console');
    await page.fill('#user-lastName', 'Made');
    await page.click('[data-testid=user-save]');
    await page.waitForSelector('[data-testid=user-title]:text-is("console-made")', { timeout: STEP_TIMEOUT });

    await page.click('[data-testid=tab-credentials]');
    await page.fill('#new-password', 'console-made-pw');
    await page.fill('#new-password-confirm', 'console-made-pw');
    await page.uncheck('[data-testid=set-password] input[name=temporary]');
    await page.click('[data-testid=set-password-submit]');
    await page.waitForSelector('[data-testid=credentials-table] td:text-is("password")', { timeout: STEP_TIMEOUT });

    const grant = await passwordGrant(server.url, 'console-made', 'console-made-pw');
    assert.equal(grant.status, 200, JSON.stringify(grant.body));
    const user = await api<{ email: string; requiredActions: string[] }>(server, 'GET', `/demo/users/${await userId(server, 'demo', 'console-made')}`);
    assert.equal(user.email, 'console-made@example.test');
    assert.deepEqual(user.requiredActions, []);

    // With brute-force detection on, two wrong passwords lock the user out (the right one is then
    // refused too); Unlock on the Details tab, after its confirmation, lets the password in again.
    await api(server, 'PUT', '/demo', { bruteForceProtected: true, failureFactor: 2 });
    try {
      for (let i = 0; i < 2; i++) assert.notEqual((await passwordGrant(server.url, 'console-made', 'wrong-pw')).status, 200);
      assert.notEqual((await passwordGrant(server.url, 'console-made', 'console-made-pw')).status, 200);
      await page.click('[data-testid=tab-details]');
      await page.click('[data-testid=user-unlock]', { timeout: STEP_TIMEOUT });
      await page.click('dialog[open] [data-testid=confirm]');
      await page.waitForSelector('[data-testid=user-unlock]', { state: 'detached', timeout: STEP_TIMEOUT });
      assert.equal((await passwordGrant(server.url, 'console-made', 'console-made-pw')).status, 200);
    } finally {
      await api(server, 'PUT', '/demo', { bruteForceProtected: false });
    }
    assertClean(record, server);
    await page.context().close();
  });

  it('creates a realm role and a group with a child in the UI, and maps client roles through the ui-ext listings', async () => {
    const { page, record } = await adminPage();
    await page.goto(`${server.url}/admin/master/console/#/demo/roles`);
    await page.click('[data-testid=roles-create]');
    await page.fill('#role-name', 'auditor');
    await page.fill('#role-description', 'Reads the books');
    await page.click('[data-testid=role-save]');
    await page.waitForSelector('[data-testid=role-title]:text-is("auditor")', { timeout: STEP_TIMEOUT });

    await page.click('[data-testid=nav-groups]');
    await page.fill('[data-testid=group-create] input', 'finance');
    await page.click('[data-testid=group-create] button[type=submit]');
    await page.click('[data-testid=groups-table] a:text-is("finance")', { timeout: STEP_TIMEOUT });
    await page.fill('[data-testid=group-create] input', 'ledger');
    await page.click('[data-testid=group-create] button[type=submit]');
    await page.waitForSelector('[data-testid=groups-table] a:text-is("ledger")', { timeout: STEP_TIMEOUT });
    await page.click('[data-testid=tab-role-mapping]');
    await page.selectOption('[data-testid=assign-role]', { label: 'auditor' });
    await page.click('[data-testid=user-roles] form button[type=submit]');
    await page.waitForSelector('[data-testid=role-row] td:text-is("auditor")', { timeout: STEP_TIMEOUT });
    await page.click('[data-testid=assign-client-roles] summary');
    await page.fill('[data-testid=available-client-roles] input[type=search]', 'view-profile');
    await page.press('[data-testid=available-client-roles] input[type=search]', 'Enter');
    // Waits for the searched role's row: the unsearched first page is on screen until the search answers.
    await page.click('[data-testid=available-client-roles] tbody tr:has(td:text-is("view-profile")) button', { timeout: STEP_TIMEOUT });
    await page.waitForSelector('[data-testid=role-row] td:text-is("view-profile")', { timeout: STEP_TIMEOUT });

    const [finance] = await api<Array<{ id: string }>>(server, 'GET', '/demo/groups?search=finance&exact=true');
    const mappings = await api<{ realmMappings: Array<{ name: string }>; clientMappings: Record<string, { mappings: Array<{ name: string }> }> }>(server, 'GET', `/demo/groups/${finance.id}/role-mappings`);
    assert.deepEqual(mappings.realmMappings.map((r) => r.name), ['auditor']);
    assert.deepEqual(mappings.clientMappings.account.mappings.map((r) => r.name), ['view-profile']);
    const children = await api<Array<{ name: string }>>(server, 'GET', `/demo/groups/${finance.id}/children`);
    assert.deepEqual(children.map((g) => g.name), ['ledger']);
    assertClean(record, server);
    await page.context().close();
  });

  it("lists a user's offline session with its type next to the online one; revoking it from the page makes its offline token refuse", async () => {
    await api(server, 'POST', '/demo/users', { username: 'offline-user', enabled: true, firstName: 'Off', lastName: 'Line', email: 'offline-user@example.test', credentials: [{ type: 'password', value: 'offline-user-pw', temporary: false }] });
    const online = await passwordGrant(server.url, 'offline-user', 'offline-user-pw');
    const offline = await passwordGrant(server.url, 'offline-user', 'offline-user-pw', 'openid offline_access');
    assert.equal(offline.status, 200, JSON.stringify(offline.body));
    const offlineSid = sessionIdOf(offline.body.access_token);

    const { page, record } = await adminPage();
    await page.goto(`${server.url}/admin/master/console/#/demo/users/${await userId(server, 'demo', 'offline-user')}/sessions`);
    const offlineRow = `[data-testid=session-row][data-session-type=OFFLINE][data-session-id="${offlineSid}"]`;
    await page.waitForSelector(offlineRow, { timeout: STEP_TIMEOUT });
    assert.match((await page.textContent(offlineRow)) ?? '', /Offline.*demo-service/);
    // The plain password grant made the online session; the offline_access one made the offline session.
    assert.equal(online.status, 200);
    assert.equal(await page.locator('[data-testid=session-row][data-session-type=REGULAR]').count(), 1);

    await page.click(`[data-testid="revoke-${offlineSid}"]`);
    await page.click('dialog[open] [data-testid=confirm]');
    await page.waitForSelector(offlineRow, { state: 'detached', timeout: STEP_TIMEOUT });
    const refused = await refresh(server.url, offline.body.refresh_token);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');
    assertClean(record, server);
    await page.context().close();
  });

  it('impersonates a user from their page: the account console opens in a new tab signed in as that user', async () => {
    const { page, record } = await adminPage();
    const aliceId = await userId(server, 'demo', 'alice');
    await page.goto(`${server.url}/admin/master/console/#/demo/users/${aliceId}/details`);
    await page.click('[data-testid=user-impersonate]', { timeout: STEP_TIMEOUT });
    const opened = page.context().waitForEvent('page', { timeout: STEP_TIMEOUT });
    await page.click('dialog[open] [data-testid=confirm]');
    const account = await opened;
    const accountRecord = recordPage(account);
    await account.waitForSelector('#email', { timeout: STEP_TIMEOUT });
    const alice = await api<{ email: string }>(server, 'GET', `/demo/users/${aliceId}`);
    assert.equal(await account.inputValue('#email'), alice.email);
    assert.ok(account.url().startsWith(`${server.url}/realms/demo/account`), account.url());
    // The admin of another realm stays signed in to the console.
    assert.equal(await page.locator('[data-testid=whoami]').count(), 1);
    assertClean(record, server);
    assertClean(accountRecord, server);
    await page.context().close();
  });

  it("shows a realm-scoped admin only that realm's users, without the actions their roles lack", async () => {
    await api(server, 'POST', '/demo/users', { username: 'user-viewer', enabled: true, firstName: 'User', lastName: 'Viewer', email: 'user-viewer@example.test', credentials: [{ type: 'password', value: 'user-viewer-pw', temporary: false }] });
    const viewer = await userId(server, 'demo', 'user-viewer');
    const [management] = await api<Array<{ id: string }>>(server, 'GET', '/demo/clients?clientId=realm-management');
    const roles = (await api<Array<{ name: string }>>(server, 'GET', `/demo/clients/${management.id}/roles`)).filter((r) => ['view-users', 'query-users'].includes(r.name));
    await api(server, 'POST', `/demo/users/${viewer}/role-mappings/clients/${management.id}`, roles);

    const context = await browser.newContext();
    const page = await context.newPage();
    const record = recordPage(page);
    await consoleLogin(page, server.url, 'demo', 'user-viewer', 'user-viewer-pw');
    const realms = await page.$$eval('[data-testid=realm-picker] option', (options) => options.map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(realms, ['demo']);
    await page.click('[data-testid=nav-users]');
    await page.waitForSelector('[data-testid=users-table] a:text-is("alice")', { timeout: STEP_TIMEOUT });
    assert.equal(await page.$('[data-testid=users-create]'), null, 'no create without manage-users');
    await page.click('[data-testid=users-table] a:text-is("alice")');
    await page.waitForSelector('[data-testid=user-title]', { timeout: STEP_TIMEOUT });
    assert.equal(await page.$('[data-testid=user-delete]'), null, 'no delete without manage-users');
    assert.equal(await page.$('[data-testid=user-save]'), null, 'read-only details');

    await page.goto(`${server.url}/admin/demo/console/#/master/users`);
    await page.waitForSelector('main [role=alert]', { timeout: STEP_TIMEOUT });
    assert.match((await page.textContent('main [role=alert]')) ?? '', /no access to the realm master/);
    assertClean(record, server);
    await context.close();
  });
});

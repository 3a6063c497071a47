/**
 * The admin console's frame in a real Chromium against a holdfast process: `/admin/` leads to
 * master's console, the login is holdfast's own page (security-admin-console, code + PKCE), the
 * page sets its CSP, every request goes to holdfast and nothing logs an error; a user without
 * admin roles is refused, and a realm's own admin sees only that realm.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { RunningHoldfast } from '../support/process.ts';
import { adminToken, chromiumMissing, consoleLogin, recordPage, useConsoleFixture } from '../support/console.ts';

const missing = chromiumMissing('admin console shell test');

async function api(server: RunningHoldfast, token: string, method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${server.url}/admin/realms${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response;
}

/** A user of `realm` holding realm-management's `realm-admin`: that realm's own administrator. */
async function createRealmAdmin(server: RunningHoldfast, realm: string, username: string, password: string): Promise<void> {
  const token = await adminToken(server.url);
  await api(server, token, 'POST', `/${realm}/users`, { username, enabled: true, firstName: 'Realm', lastName: 'Admin', email: `${username}@example.test`, credentials: [{ type: 'password', value: password, temporary: false }] });
  const [user] = (await (await api(server, token, 'GET', `/${realm}/users?username=${username}&exact=true`)).json()) as Array<{ id: string }>;
  const [management] = (await (await api(server, token, 'GET', `/${realm}/clients?clientId=realm-management`)).json()) as Array<{ id: string }>;
  const role = await (await api(server, token, 'GET', `/${realm}/clients/${management.id}/roles/realm-admin`)).json();
  await api(server, token, 'POST', `/${realm}/users/${user.id}/role-mappings/clients/${management.id}`, [role]);
}

describe('admin console shell', { skip: missing }, () => {
  let server: RunningHoldfast;
  let browser: Browser;
  useConsoleFixture(async (started) => {
    ({ server, browser } = started);
    await createRealmAdmin(server, 'demo', 'demo-admin', 'demo-admin-password');
  });

  it('serves the console page with a CSP that allows no inline script and no framing by others', async () => {
    const redirect = await fetch(`${server.url}/admin/`, { redirect: 'manual' });
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.get('location'), `${server.url}/admin/master/console/`);
    const page = await fetch(`${server.url}/admin/master/console/`);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(page.headers.get('cache-control') ?? '', /no-cache/);
    const html = await page.text();
    assert.doesNotMatch(html, /<script>(?!\s*$)/, 'no inline script');
    const asset = /src="[^"]*\/admin\/resources\/([^"]+)"/.exec(html)![1];
    const file = await fetch(`${server.url}/admin/resources/${asset}`);
    assert.equal(file.status, 200);
    assert.match(file.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await fetch(`${server.url}/admin/resources/nope.js`)).status, 404);
    assert.equal((await fetch(`${server.url}/admin/no-such-realm/console/`)).status, 404);
  });

  it('logs the master admin in through holdfast with PKCE and shows every realm', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const record = recordPage(page);
    await consoleLogin(page, server.url, 'master', 'admin', 'admin');
    assert.equal(await page.textContent('[data-testid=whoami]'), 'admin');
    const realms = await page.$$eval('[data-testid=realm-picker] option', (options) => options.map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(realms.sort(), ['demo', 'master']);
    const auth = record.requests.find((url) => url.includes('/protocol/openid-connect/auth?'))!;
    assert.match(auth, /client_id=security-admin-console/);
    assert.match(auth, /code_challenge_method=S256/);
    assert.deepEqual(record.foreign(server.url), []);
    assert.deepEqual(record.errors, []);
    await context.close();
  });

  it('refuses a user without admin roles', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await consoleLogin(page, server.url, 'demo', 'alice', 'alice');
    assert.match((await page.textContent('[data-testid=refused]')) ?? '', /no access/i);
    assert.equal(await page.$('[data-testid=whoami]'), null);
    await context.close();
  });

  it("shows a realm's own admin only that realm", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const record = recordPage(page);
    await consoleLogin(page, server.url, 'demo', 'demo-admin', 'demo-admin-password');
    const realms = await page.$$eval('[data-testid=realm-picker] option', (options) => options.map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(realms, ['demo']);
    assert.equal(await page.$('[data-testid=nav-add-realm]'), null);
    // Going to master by URL shows no data: the console says so, and the API would refuse anyway.
    await page.goto(`${server.url}/admin/demo/console/#/master/home`);
    await page.waitForSelector('main [role=alert]', { timeout: 20_000 });
    assert.match((await page.textContent('main [role=alert]')) ?? '', /no access to the realm master/);
    assert.deepEqual(record.foreign(server.url), []);
    await context.close();
  });
});

/**
 * The admin console's client pages in a real Chromium against a holdfast process: an admin
 * creates a confidential client with a redirect URI, regenerates its secret (the old one is then
 * refused on client_credentials, the new one works), adds a hardcoded-claim mapper through the
 * form built from /admin/serverinfo and finds the claim in a token; a bad redirect URI gets
 * Keycloak's message next to the field; every tab of a client opens without an error, and a
 * client scope made in the UI gets its realm default type. Every request goes to holdfast and
 * nothing logs an error.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { RunningHoldfast } from '../support/process.ts';
import { STEP_TIMEOUT, adminToken, chromiumMissing, consoleLogin, recordPage, screenshot, useConsoleFixture } from '../support/console.ts';

const missing = chromiumMissing('admin console clients test');

async function clientCredentials(server: RunningHoldfast, clientId: string, secret: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/realms/demo/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function adminApi(server: RunningHoldfast, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${server.url}/admin/realms${path}`, {
    method,
    headers: { authorization: `Bearer ${await adminToken(server.url)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}

const claimsOf = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

/** The secret shown on the credentials tab once it differs from `previous`. */
async function shownSecret(page: Page, previous = ''): Promise<string> {
  await page.waitForFunction((old) => {
    const input = document.querySelector<HTMLInputElement>('[data-testid=client-secret]');
    return input !== null && input.value !== '' && input.value !== old;
  }, previous, { timeout: STEP_TIMEOUT });
  return page.inputValue('[data-testid=client-secret]');
}

describe('admin console: clients', { skip: missing }, () => {
  let server: RunningHoldfast;
  let browser: Browser;
  useConsoleFixture((started) => {
    ({ server, browser } = started);
  });

  it('creates a confidential client, regenerates its secret and adds a hardcoded-claim mapper that tokens carry', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const record = recordPage(page);
    await consoleLogin(page, server.url, 'master', 'admin', 'admin');
    await page.goto(`${server.url}/admin/master/console/#/demo/clients`);
    await page.waitForSelector('[data-testid=clients-table] a[href*="/clients/"]', { timeout: STEP_TIMEOUT });
    // The demo's clients are listed, paged and searched on the server.
    await page.fill('[data-testid=clients-table] input[type=search]', 'demo-serv');
    await page.press('[data-testid=clients-table] input[type=search]', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=clients-table] tbody a').length === 1, undefined, { timeout: STEP_TIMEOUT });

    await page.click('[data-testid=client-create]');
    await page.fill('#client-clientId', 'billing-api');
    await page.fill('#client-name', 'Billing API');
    await page.check('#client-authentication');
    await page.check('#client-serviceAccounts');
    await page.fill('#client-rootUrl', 'https://billing.example.test');
    await page.fill('#client-redirectUris', 'https://billing.example.test/callback');
    await page.click('[data-testid=client-save]');
    await page.waitForSelector('[data-testid=client-title]:has-text("billing-api")', { timeout: STEP_TIMEOUT });
    assert.equal(await page.inputValue('#client-redirectUris'), 'https://billing.example.test/callback');

    await page.click('[data-testid=tab-credentials]');
    const first = await shownSecret(page);
    assert.equal((await clientCredentials(server, 'billing-api', first)).status, 200);
    await page.click('[data-testid=client-secret-regenerate]');
    await page.click('dialog[open] [data-testid=confirm]');
    const second = await shownSecret(page, first);
    const refused = await clientCredentials(server, 'billing-api', first);
    assert.deepEqual([refused.status, refused.body.error], [401, 'unauthorized_client']);
    assert.equal((await clientCredentials(server, 'billing-api', second)).status, 200);

    await page.click('[data-testid=tab-mappers]');
    await page.click('[data-testid=mapper-add]');
    await page.click('[data-testid=mapper-type-oidc-hardcoded-claim-mapper]');
    await page.fill('#mapper-name', 'billing tier');
    await page.fill('#mapper-claim-name', 'billing.tier');
    await page.fill('#mapper-claim-value', 'gold');
    await page.selectOption('#mapper-jsonType-label', 'String');
    assert.equal(await page.isChecked('#mapper-access-token-claim'), true, 'defaults come from serverinfo');
    await page.click('[data-testid=mapper-save]');
    await page.waitForSelector('[data-testid=mappers-table] a:has-text("billing tier")', { timeout: STEP_TIMEOUT }).catch(async (error: Error) => {
      // Seen once under CI load: say what the page showed instead of the new mapper.
      await screenshot(page, 'console-client-mapper-save-failed');
      const shown = await page.evaluate(() => document.querySelector('main')?.textContent?.replace(/\s+/g, ' ').slice(0, 600));
      throw new Error(`${error.message}; the page showed: ${shown}; console errors: ${record.errors.join(' | ')}`);
    });
    await screenshot(page, 'console-client-mappers');

    const issued = await clientCredentials(server, 'billing-api', second);
    assert.equal(issued.status, 200);
    assert.deepEqual(claimsOf(issued.body.access_token as string).billing, { tier: 'gold' });
    assert.deepEqual(record.foreign(server.url), []);
    assert.deepEqual(record.errors, []);
    await context.close();
  });

  it("shows Keycloak's message for a bad redirect URI next to the field", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const record = recordPage(page);
    await consoleLogin(page, server.url, 'master', 'admin', 'admin');
    await page.goto(`${server.url}/admin/master/console/#/demo/clients/new`);
    await page.waitForSelector('#client-clientId', { timeout: STEP_TIMEOUT });
    await page.fill('#client-clientId', 'broken-app');
    await page.fill('#client-redirectUris', 'https://ok.example.test/cb\nnot a uri');
    await page.click('[data-testid=client-save]');
    await page.waitForSelector('#client-redirectUris-error', { timeout: STEP_TIMEOUT });
    assert.equal(await page.textContent('#client-redirectUris-error'), 'A redirect URI is not a valid URI');
    assert.equal(await page.getAttribute('#client-redirectUris', 'aria-invalid'), 'true');
    await screenshot(page, 'console-client-bad-redirect-uri');
    // Nothing was created, and the form keeps what the admin typed.
    assert.equal(await page.inputValue('#client-clientId'), 'broken-app');
    assert.deepEqual(record.foreign(server.url), []);
    // The refused request is the one error Chromium logs (a 400 from the API), nothing else.
    assert.ok(record.errors.every((e) => /400/.test(e)), record.errors.join('\n'));
    await context.close();
  });

  it("opens every tab of a client without an error, creates a client role, and creates a client scope that new clients get as optional", async () => {
    await adminApi(server, 'POST', '/demo/clients', { clientId: 'tabs-app', publicClient: false, serviceAccountsEnabled: true, redirectUris: ['https://tabs.example.test/*'] });
    const [client] = await adminApi(server, 'GET', '/demo/clients?clientId=tabs-app');
    const context = await browser.newContext();
    const page = await context.newPage();
    const record = recordPage(page);
    await consoleLogin(page, server.url, 'master', 'admin', 'admin');
    const tabs: Array<[string, string]> = [
      ['settings', '[data-testid=client-form]'],
      ['credentials', '[data-testid=client-secret]'],
      ['roles', '[data-testid=client-roles-table] table[aria-busy=false]'],
      ['client-scopes', '[data-testid=client-scopes-table]'],
      ['mappers', '[data-testid=mappers-table]'],
      ['service-account', '[data-testid=service-account-roles]'],
      ['sessions', '[data-testid=client-sessions-table] table[aria-busy=false]'],
    ];
    for (const [tab, ready] of tabs) {
      await page.goto(`${server.url}/admin/master/console/#/demo/clients/${client.id}/${tab}`);
      await page.waitForSelector(ready, { timeout: STEP_TIMEOUT });
      assert.equal(await page.$('main .error-message'), null, `tab ${tab}`);
      if (tab === 'client-scopes') {
        // The linked scopes are the realm's defaults, as the API lists them.
        const linked = await page.$$eval('[data-testid=client-scopes-table] tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
        assert.ok(linked.includes('profile') && linked.includes('email'), linked.join());
      }
    }

    await page.goto(`${server.url}/admin/master/console/#/demo/clients/${client.id}/roles`);
    await page.fill('#role-name', 'invoice-reader');
    await page.click('[data-testid=role-create-form] button[type=submit]');
    await page.waitForSelector('[data-testid=client-roles-table] td:has-text("invoice-reader")', { timeout: STEP_TIMEOUT });

    await page.goto(`${server.url}/admin/master/console/#/demo/client-scopes/new`);
    await page.fill('#scope-name', 'billing');
    await page.selectOption('#scope-type', 'optional');
    await page.click('[data-testid=client-scope-save]');
    await page.waitForSelector('[data-testid=client-scope-title]:has-text("billing")', { timeout: STEP_TIMEOUT });
    await page.click('[data-testid=tab-mappers]');
    await page.waitForSelector('[data-testid=mapper-add]', { timeout: STEP_TIMEOUT });
    const optional = (await adminApi(server, 'GET', '/demo/default-optional-client-scopes')) as Array<{ name: string }>;
    assert.ok(optional.some((s) => s.name === 'billing'));
    await page.goto(`${server.url}/admin/master/console/#/demo/client-scopes`);
    await page.waitForSelector('[data-testid=scope-type-billing]', { timeout: STEP_TIMEOUT });
    assert.equal(await page.inputValue('[data-testid=scope-type-billing]'), 'optional');
    await screenshot(page, 'console-client-scopes');
    assert.deepEqual(record.foreign(server.url), []);
    assert.deepEqual(record.errors, []);
    await context.close();
  });

  it("assigns another client's role to the service account from the client page (its token then carries it) and unassigns it", async () => {
    await adminApi(server, 'POST', '/demo/clients', { clientId: 'robot-app', publicClient: false, serviceAccountsEnabled: true, secret: 'robot-app-secret' });
    const [client] = await adminApi(server, 'GET', '/demo/clients?clientId=robot-app');
    const context = await browser.newContext();
    const page = await context.newPage();
    const record = recordPage(page);
    await consoleLogin(page, server.url, 'master', 'admin', 'admin');
    await page.goto(`${server.url}/admin/master/console/#/demo/clients/${client.id}/service-account`);
    await page.click('[data-testid=assign-client-roles] summary', { timeout: STEP_TIMEOUT });
    await page.fill('[data-testid=available-client-roles] input[type=search]', 'view-users');
    await page.press('[data-testid=available-client-roles] input[type=search]', 'Enter');
    // The unsearched first page shows other realm-management roles until the search answers: the
    // click waits for the searched role's own row.
    await page.click('[data-testid=available-client-roles] tbody tr:has(td:text-is("view-users")):has(td:text-is("realm-management")) button', { timeout: STEP_TIMEOUT });
    await page.waitForSelector('[data-testid=role-row]:has(td:text-is("view-users")) td:text-is("realm-management")', { timeout: STEP_TIMEOUT });

    const granted = await clientCredentials(server, 'robot-app', 'robot-app-secret');
    assert.equal(granted.status, 200, JSON.stringify(granted.body));
    const access = claimsOf(granted.body.access_token as string).resource_access as Record<string, { roles: string[] }>;
    assert.ok(access['realm-management'].roles.includes('view-users'), JSON.stringify(access));

    await page.click('[data-testid=unassign-view-users]');
    await page.click('dialog[open] [data-testid=confirm]');
    await page.waitForSelector('[data-testid=role-row]:has(td:text-is("view-users"))', { state: 'detached', timeout: STEP_TIMEOUT });
    const user = await adminApi(server, 'GET', `/demo/clients/${client.id}/service-account-user`);
    const mappings = await adminApi(server, 'GET', `/demo/users/${user.id}/role-mappings`);
    assert.equal(mappings.clientMappings?.['realm-management'], undefined);
    assert.deepEqual(record.foreign(server.url), []);
    assert.deepEqual(record.errors, []);
    await context.close();
  });
});

/**
 * Realm settings and realm creation in a real Chromium against a holdfast process: the Sessions
 * tab saves SSO Session Idle (the admin API then reports it), a client idle above the SSO idle is
 * refused by the API with Keycloak's message shown next to the field, and a realm created in the
 * console opens with the admin's new roles; keys rotate through the Keys tab (a new kid in the
 * JWKS, a token of the old key still verifies while it is passive), a required action is turned
 * on, the read-only flows show their bindings, and a partial import with SKIP shows its counts
 * and a partial export downloads the realm. Every request goes to holdfast; the only console
 * errors are Chromium's notes on the 400 answers the test asks for.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import type { RunningHoldfast } from '../support/process.ts';
import { adminToken, chromiumMissing, consoleLogin, recordPage, screenshot, STEP_TIMEOUT, useConsoleFixture } from '../support/console.ts';

const missing = chromiumMissing('realm settings console test');

async function realmRep(server: RunningHoldfast, realm: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}/admin/realms/${realm}`, { headers: { authorization: `Bearer ${await adminToken(server.url)}` } });
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

/** Chromium logs every 4xx answer as a console error; those the test provokes on purpose are not failures. */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of 400/.test(e));

describe('admin console: realm settings', { skip: missing }, () => {
  let server: RunningHoldfast;
  let browser: Browser;
  useConsoleFixture((started) => {
    ({ server, browser } = started);
  });

  it('saves SSO Session Idle on the Sessions tab and shows the API\'s validation message next to the field', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const record = recordPage(page);
    await consoleLogin(page, server.url, 'master', 'admin', 'admin');
    await page.click('[data-testid=nav-realm-settings]');
    await page.click('[data-testid=tab-sessions]');
    await page.waitForSelector('[data-testid=realm-sessions-form]', { timeout: STEP_TIMEOUT });
    // 1800 s is shown as Keycloak's console shows it: 30 minutes.
    assert.equal(await page.inputValue('#realm-ssoSessionIdleTimeout'), '30');
    assert.equal(await page.inputValue('[data-testid=realm-ssoSessionIdleTimeout-unit]'), '60');

    await page.fill('#realm-ssoSessionIdleTimeout', '45');
    await page.click('[data-testid=realm-sessions-form-save]');
    await page.waitForSelector('[data-testid=alert-success]', { timeout: STEP_TIMEOUT });
    assert.equal((await realmRep(server, 'master')).ssoSessionIdleTimeout, 2700);
    await screenshot(page, 'admin-realm-sessions-settings');

    // Not a number: refused in the page, nothing sent.
    await page.fill('#realm-ssoSessionMaxLifespan', 'ten');
    await page.click('[data-testid=realm-sessions-form-save]');
    assert.equal(await page.textContent('#realm-ssoSessionMaxLifespan-error', { timeout: STEP_TIMEOUT }), 'Enter a whole number.');
    await page.fill('#realm-ssoSessionMaxLifespan', '10');

    // Above the SSO idle: the API refuses it, and its message stands next to the field.
    await page.fill('#realm-clientSessionIdleTimeout', '2');
    await page.selectOption('[data-testid=realm-clientSessionIdleTimeout-unit]', '3600');
    await page.click('[data-testid=realm-sessions-form-save]');
    await page.waitForSelector('#realm-clientSessionIdleTimeout-error', { timeout: STEP_TIMEOUT });
    assert.equal(await page.textContent('#realm-clientSessionIdleTimeout-error'), 'Client Session Idle Timeout cannot be greater than Realm SSO Idle Timeout.');
    assert.equal(await page.getAttribute('#realm-clientSessionIdleTimeout', 'aria-invalid'), 'true');
    const stored = await realmRep(server, 'master');
    assert.deepEqual([stored.clientSessionIdleTimeout, stored.ssoSessionIdleTimeout, stored.ssoSessionMaxLifespan], [0, 2700, 36000]);

    assert.deepEqual(record.foreign(server.url), []);
    assert.deepEqual(unexpected(record.errors), []);
    await context.close();
  });

  it('creates a realm and opens its settings', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const record = recordPage(page);
    await consoleLogin(page, server.url, 'master', 'admin', 'admin');
    await page.click('[data-testid=nav-add-realm]');
    // A name the API refuses comes back as a message next to the name.
    await page.fill('[data-testid=add-realm-name]', 'bad name/with slash');
    await page.click('[data-testid=add-realm-create]');
    await page.waitForSelector('#add-realm-name-error', { timeout: STEP_TIMEOUT });

    await page.fill('[data-testid=add-realm-name]', 'orders');
    await page.click('[data-testid=add-realm-create]');
    await page.waitForSelector('[data-testid=realm-general-form]', { timeout: STEP_TIMEOUT });
    assert.match(page.url(), /#\/orders\/realm-settings$/);
    const realms = await page.$$eval('[data-testid=realm-picker] option', (options) => options.map((o) => (o as HTMLOptionElement).value));
    assert.ok(realms.includes('orders'));
    assert.equal((await realmRep(server, 'orders')).enabled, true);

    assert.deepEqual(record.foreign(server.url), []);
    assert.deepEqual(unexpected(record.errors), []);
    await context.close();
  });

  it('saves the events config and searches user events with a filter', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const record = recordPage(page);
    await consoleLogin(page, server.url, 'master', 'admin', 'admin');
    await page.click('[data-testid=nav-realm-settings]');
    await page.click('[data-testid=tab-events]');
    await page.waitForSelector('[data-testid=realm-events-form]', { timeout: STEP_TIMEOUT });
    await page.check('#realm-eventsEnabled');
    await page.fill('#realm-enabledEventTypes', 'LOGIN, LOGOUT');
    await page.click('[data-testid=realm-events-form-save]');
    await page.waitForSelector('[data-testid=alert-success]', { timeout: STEP_TIMEOUT });
    const config = await fetch(`${server.url}/admin/realms/master/events/config`, { headers: { authorization: `Bearer ${await adminToken(server.url)}` } });
    const body = (await config.json()) as { eventsEnabled: boolean; enabledEventTypes: string[] };
    assert.deepEqual([body.eventsEnabled, body.enabledEventTypes], [true, ['LOGIN', 'LOGOUT']]);

    await page.click('[data-testid=nav-events]');
    await page.fill('[data-testid=user-events-filters-type]', 'LOGIN');
    // The token fetch above logged the admin in with events on: its LOGIN is listed once the
    // batched event writer has written it (searched again until then, a bounded number of times).
    const typeCell = '[data-testid=user-events] tbody td[data-label=Type]';
    const search = () => page.waitForResponse((r) => r.url().includes('/admin/realms/master/events?') && r.url().includes('type=LOGIN'), { timeout: STEP_TIMEOUT });
    for (let attempt = 0; attempt < 40; attempt++) {
      const answered = search();
      await page.click('[data-testid=user-events-filters] button[type=submit]');
      await answered;
      if (await page.waitForSelector(typeCell, { timeout: 500 }).catch(() => undefined)) break;
    }
    assert.equal(await page.textContent(typeCell), 'LOGIN');
    assert.ok(record.requests.some((url) => url.includes('/admin/realms/master/events?') && url.includes('type=LOGIN')));
    assert.deepEqual(record.foreign(server.url), []);
    assert.deepEqual(unexpected(record.errors), []);
    await context.close();
  });

  it('rotates keys, turns a required action on, shows the flows, and imports and exports part of the realm', async () => {
    const token = await adminToken(server.url);
    const adminGet = async (path: string) => (await fetch(`${server.url}/admin/realms/demo${path}`, { headers: { authorization: `Bearer ${token}` } })).json();
    const jwks = async () => ((await (await fetch(`${server.url}/realms/demo/protocol/openid-connect/certs`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    const login = async () => {
      const response = await fetch(`${server.url}/realms/demo/protocol/openid-connect/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'password', client_id: 'demo-service', client_secret: 'demo-service-secret', username: 'alice', password: 'alice', scope: 'openid' }),
      });
      assert.equal(response.status, 200);
      return ((await response.json()) as { access_token: string }).access_token;
    };
    const kidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8')).kid as string;
    const userinfo = async (accessToken: string) => (await fetch(`${server.url}/realms/demo/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } })).status;
    const oldToken = await login();
    const oldKid = kidOf(oldToken);
    const rsa = ((await adminGet('/components?type=org.keycloak.keys.KeyProvider')) as Array<{ id: string; name: string; providerId: string }>).find((p) => p.providerId === 'rsa-generated')!;

    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const record = recordPage(page);
    await consoleLogin(page, server.url, 'master', 'admin', 'admin');
    await page.goto(`${server.url}/admin/master/console/#/demo/realm-settings/keys/providers`);
    await page.click(`[data-testid="rotate-${rsa.name}"]`, { timeout: STEP_TIMEOUT });
    await page.click('dialog[open] [data-testid=confirm]');
    await page.waitForSelector('[data-testid=alert-success]:has-text("Keys rotated")', { timeout: STEP_TIMEOUT });
    const newToken = await login();
    assert.notEqual(kidOf(newToken), oldKid);
    assert.ok((await jwks()).includes(kidOf(newToken)));
    assert.ok((await jwks()).includes(oldKid), 'the passive key stays in the JWKS');
    assert.equal(await userinfo(oldToken), 200, "a token of the old key still verifies while it is passive");
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'admin-key-providers-390');
    await page.click('[data-testid=tab-list]');
    assert.equal(await page.textContent(`[data-testid="key-${oldKid}"] [data-testid=key-status]`, { timeout: STEP_TIMEOUT }), 'Passive');
    assert.equal(await page.textContent(`[data-testid="key-${kidOf(newToken)}"] [data-testid=key-status]`), 'Active');

    await page.click('[data-testid=nav-authentication]');
    assert.equal(await page.textContent('[data-testid="flow-browser"] [data-testid=flow-used-by]', { timeout: STEP_TIMEOUT }), 'Browser flow');
    await page.click('[data-testid="flow-browser"] a');
    await page.waitForSelector('[data-testid=flow-executions]', { timeout: STEP_TIMEOUT });
    assert.equal(await page.locator('[data-testid=flow-executions] tbody tr').count(), 7);
    await screenshot(page, 'admin-browser-flow-390');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.click('[data-testid=tab-required-actions]');
    // The switch shows the stored state: it turns on once the API has saved it.
    await page.click('[data-testid=required-action-TERMS_AND_CONDITIONS] [data-testid=action-enabled]', { timeout: STEP_TIMEOUT });
    await page.waitForSelector('[data-testid=alert-success]:has-text("Required action saved")', { timeout: STEP_TIMEOUT });
    assert.equal(((await adminGet('/authentication/required-actions/TERMS_AND_CONDITIONS')) as { enabled: boolean }).enabled, true);
    await page.waitForSelector('[data-testid=required-action-TERMS_AND_CONDITIONS] [data-testid=action-enabled]:checked', { timeout: STEP_TIMEOUT });

    await page.click('[data-testid=nav-realm-settings]');
    await page.click('[data-testid=partial-import-open]');
    const file = { users: [{ username: 'alice', enabled: true }, { username: 'pim', enabled: true }], groups: [{ name: 'imported-group' }] };
    await page.setInputFiles('[data-testid=partial-import-file]', { name: 'part.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
    await page.selectOption('[data-testid=partial-import-policy]', 'SKIP');
    await page.click('[data-testid=partial-import-submit]');
    assert.equal(await page.textContent('[data-testid=partial-import-counts]', { timeout: STEP_TIMEOUT }), '2 added, 1 skipped, 0 overwritten.');
    assert.equal(((await adminGet('/users?username=pim&exact=true')) as unknown[]).length, 1);
    await page.click('#partial-import-title ~ footer button');

    await page.click('[data-testid=partial-export-open]');
    await page.check('[data-testid=partial-export-groups]');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: STEP_TIMEOUT }), page.click('[data-testid=partial-export-submit]')]);
    const exported = JSON.parse(fs.readFileSync((await download.path())!, 'utf8')) as { realm: string; groups: Array<{ name: string }>; users?: unknown };
    assert.equal(exported.realm, 'demo');
    assert.ok(exported.groups.some((g) => g.name === 'imported-group'));
    assert.equal(exported.users, undefined);

    assert.deepEqual(record.foreign(server.url).filter((url) => !url.startsWith('blob:')), []);
    assert.deepEqual(unexpected(record.errors), []);
    await context.close();
  });
});

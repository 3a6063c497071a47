/**
 * The realm settings tabs the other console tests leave out, in a real Chromium against one
 * holdfast process, signed in once: the Events tab turns admin events on; the Email tab saves an
 * SMTP server and its "test connection" mails the admin through a real SMTP sink; the Tokens tab
 * saves the access token lifespan (the API reports it) and shows the API's refusal of 0 next to
 * the field; the Login tab turns user registration on and the realm's login page then offers
 * "Register"; and the admin events viewer lists those changes. Every request goes to holdfast;
 * the only console error is Chromium's note on the 400 the test asks for.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import type { RunningHoldfast } from '../support/process.ts';
import { authorizationRequest } from '../support/oidc-requests.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { adminToken, chromiumMissing, consoleLogin, recordPage, STEP_TIMEOUT, useConsoleFixture, type PageRecord } from '../support/console.ts';

const missing = chromiumMissing('realm settings tabs console test');
const ADMIN_EMAIL = 'admin@holdfast.test';

async function adminApi(server: RunningHoldfast, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${server.url}/admin/realms${path}`, {
    method,
    headers: { authorization: `Bearer ${await adminToken(server.url)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  assert.ok(response.status < 400, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Chromium logs every 4xx answer as a console error; the one the test provokes is not a failure. */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of 400/.test(e));

describe('admin console: email, tokens, login tabs and admin events', { skip: missing }, () => {
  let server: RunningHoldfast;
  let context: BrowserContext;
  let page: Page;
  let record: PageRecord;
  let sink: SmtpSink;
  // Registered before the fixture's own, so this runs while the browser is still up.
  after(async () => {
    await context?.close();
    await sink?.stop();
  });
  useConsoleFixture(async (started) => {
    server = started.server;
    sink = await startSmtpSink();
    const [admin] = await adminApi(server, 'GET', '/master/users?username=admin&exact=true');
    await adminApi(server, 'PUT', `/master/users/${admin.id}`, { email: ADMIN_EMAIL });
    context = await started.browser.newContext();
    page = await context.newPage();
    record = recordPage(page);
    await consoleLogin(page, server.url, 'master', 'admin', 'admin');
  });

  const settingsTab = async (tab: string, form: string) => {
    await page.goto(`${server.url}/admin/master/console/#/demo/realm-settings/${tab}`);
    await page.waitForSelector(`[data-testid=${form}]`, { timeout: STEP_TIMEOUT });
  };
  /** Saves a form and waits for this save's own success message (earlier ones may still show). */
  const save = async (button: string) => {
    const before = await page.locator('[data-testid=alert-success]').count();
    await page.click(button);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=alert-success]').length > n, before, { timeout: STEP_TIMEOUT });
  };

  it('turns admin events on in the Events tab', async () => {
    await settingsTab('events', 'realm-events-form');
    await page.check('#realm-adminEventsEnabled');
    await save('[data-testid=realm-events-form-save]');
    assert.equal((await adminApi(server, 'GET', '/demo/events/config')).adminEventsEnabled, true);
  });

  it('saves the SMTP server on the Email tab, and "test connection" mails the admin', async () => {
    await settingsTab('email', 'realm-email-form');
    await page.fill('#smtp-host', '127.0.0.1');
    await page.fill('#smtp-port', String(sink.port));
    await page.fill('#smtp-from', 'noreply@demo.test');
    await save('[data-testid=realm-email-form] button[type=submit]');
    const smtp = (await adminApi(server, 'GET', '/demo')).smtpServer;
    assert.deepEqual([smtp.host, smtp.port, smtp.from], ['127.0.0.1', String(sink.port), 'noreply@demo.test']);

    await page.click('[data-testid=smtp-test]');
    const mail = await sink.nextMail(1);
    assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.text : '', ADMIN_EMAIL);
    assert.equal(mail.from?.value[0].address, 'noreply@demo.test');
    await page.waitForSelector('[data-testid=alert-success]:has-text("test mail was sent")', { timeout: STEP_TIMEOUT });
  });

  it("saves the access token lifespan on the Tokens tab, and shows the API's refusal of 0 next to the field", async () => {
    await settingsTab('tokens', 'realm-tokens-form');
    await page.fill('#realm-accessTokenLifespan', '10');
    await page.selectOption('[data-testid=realm-accessTokenLifespan-unit]', '60');
    await save('[data-testid=realm-tokens-form-save]');
    assert.equal((await adminApi(server, 'GET', '/demo')).accessTokenLifespan, 600);

    await page.fill('#realm-accessTokenLifespan', '0');
    await page.click('[data-testid=realm-tokens-form-save]');
    await page.waitForSelector('#realm-accessTokenLifespan-error', { timeout: STEP_TIMEOUT });
    assert.equal(await page.textContent('#realm-accessTokenLifespan-error'), 'accessTokenLifespan must be at least 1 and at most 2147483647.');
    assert.equal(await page.getAttribute('#realm-accessTokenLifespan', 'aria-invalid'), 'true');
    assert.equal((await adminApi(server, 'GET', '/demo')).accessTokenLifespan, 600, 'nothing was stored');
  });

  it('turns user registration on in the Login tab; the login page then links to registration', async () => {
    await settingsTab('login', 'realm-login-form');
    const login = await context.newPage();
    await login.goto(authorizationRequest(server.url).url);
    await login.waitForSelector('#kc-form-login', { timeout: STEP_TIMEOUT });
    assert.equal(await login.locator('#kc-registration a').count(), 0);

    await page.check('#realm-registrationAllowed');
    await save('[data-testid=realm-login-form-save]');
    assert.equal((await adminApi(server, 'GET', '/demo')).registrationAllowed, true);
    await login.goto(authorizationRequest(server.url).url);
    await login.waitForSelector('#kc-registration a', { timeout: STEP_TIMEOUT });
    assert.match((await login.getAttribute('#kc-registration a', 'href')) ?? '', /\/realms\/demo\/login-actions\/registration/);
    await login.close();
  });

  it('lists those changes in the admin events viewer', async () => {
    await page.goto(`${server.url}/admin/master/console/#/demo/events/admin`);
    await page.fill('[data-testid=admin-events-filters-operationTypes]', 'UPDATE');
    // The batched event writer stores events a moment after the request: searched again until
    // they are there, a bounded number of times.
    const row = '[data-testid=admin-events] tbody tr:has(td:text-is("REALM"))';
    for (let attempt = 0; attempt < 40; attempt++) {
      const answered = page.waitForResponse((r) => r.url().includes('/admin/realms/demo/admin-events?'), { timeout: STEP_TIMEOUT });
      await page.click('[data-testid=admin-events-filters] button[type=submit]');
      await answered;
      if (await page.waitForSelector(row, { timeout: 500 }).catch(() => undefined)) break;
    }
    assert.ok((await page.locator(row).count()) >= 3, 'the email, tokens and login saves');
    assert.equal(await page.textContent(`${row} td:nth-child(2)`), 'UPDATE');
    assert.deepEqual(record.foreign(server.url), []);
    assert.deepEqual(unexpected(record.errors), []);
  });
});

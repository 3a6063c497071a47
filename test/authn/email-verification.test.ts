/**
 * E-mail verification in the login (issue 13, items 2-4), with mails received by a real SMTP
 * server: realm `verifyEmail` sends users with an unverified address (at login and right after
 * registration) to VERIFY_EMAIL, whose page sends one single-use link; UPDATE_EMAIL under
 * `verifyEmail` changes the address only when the confirmation link sent to the new address is
 * followed (taken and invalid addresses refused first, the link single use); a browser with an
 * SSO cookie runs a pending required action before the code, continuing its SSO session; and a
 * realm file with `verifyEmail` imports.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, testApp, type TestApp } from '../support/app.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { adminCall, adminToken, codeOf, LoginBrowser, passwordGrant, REDIRECT, textOf } from './login-browser.ts';

/** The path and query of the action-token link in a mail. */
function linkIn(text: string | undefined): string {
  const match = /(https?:\/\/\S+\/login-actions\/action-token\?\S+)/.exec(text ?? '');
  assert.ok(match, `no link in ${text}`);
  const url = new URL(match[1]);
  return url.pathname + url.search;
}

describe('e-mail verification in the login', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let token: string;
  let aliceId: string;
  const setRealm = async (fields: Record<string, unknown>) => assert.equal((await adminCall(t, token, 'PUT', '/demo', fields)).statusCode, 204);
  const setUser = async (fields: Record<string, unknown>) => assert.equal((await adminCall(t, token, 'PUT', `/demo/users/${aliceId}`, fields)).statusCode, 204);
  const alice = async () => (await adminCall(t, token, 'GET', `/demo/users/${aliceId}`)).json();

  before(async () => {
    sink = await startSmtpSink();
    t = await testApp();
    token = await adminToken(t);
    aliceId = (await adminCall(t, token, 'GET', '/demo/users?username=alice&exact=true')).json()[0].id;
    await setRealm({ smtpServer: { host: '127.0.0.1', port: String(sink.port), from: 'noreply@example.com' } });
    const bob = await adminCall(t, token, 'POST', '/demo/users', { username: 'bob', email: 'bob@example.com', firstName: 'Bob', lastName: 'B', enabled: true });
    assert.equal(bob.statusCode, 201, bob.body);
  });
  after(async () => {
    await t.close();
    await sink.stop();
  });
  beforeEach(async () => {
    token = await adminToken(t);
    await setRealm({ verifyEmail: false });
    await setUser({ requiredActions: [], email: 'alice@example.com', emailVerified: true });
  });

  it('imports a realm file with verifyEmail and registration settings instead of refusing them', async () => {
    const imported = await t.app.inject({ method: 'POST', url: '/admin/realms', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: { realm: 'verify-import', enabled: true, verifyEmail: true, registrationAllowed: true, registrationEmailAsUsername: true } });
    assert.equal(imported.statusCode, 201, imported.body);
    assert.equal(imported.body, '', 'nothing ignored or refused');
    const realm = (await adminCall(t, token, 'GET', '/verify-import')).json();
    assert.deepEqual([realm.verifyEmail, realm.registrationAllowed, realm.registrationEmailAsUsername], [true, true, true]);
    assert.equal((await adminCall(t, token, 'DELETE', '/verify-import')).statusCode, 204);
  });

  it('runs a required action pending on an SSO user before the code, in the same SSO session', async () => {
    const browser = new LoginBrowser(t);
    const first = await browser.login('alice', 'alice');
    const sessionState = new URL(first.headers.location as string).searchParams.get('session_state');
    codeOf(first);
    await setUser({ requiredActions: ['UPDATE_PASSWORD'] });

    const silent = await browser.get(`${DEMO}/auth?${new URLSearchParams({ client_id: 'demo-service', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', prompt: 'none' })}`);
    assert.equal(new URL(silent.headers.location as string).searchParams.get('error'), 'interaction_required');

    const page = await browser.open();
    assert.equal(page.statusCode, 200);
    assert.equal(textOf(page.body, 'kc-page-title'), 'Update password');
    const done = await browser.submit(page, 'kc-passwd-update-form', { 'password-new': 'alice-new1', 'password-confirm': 'alice-new1' });
    codeOf(done);
    assert.equal(new URL(done.headers.location as string).searchParams.get('session_state'), sessionState);
    assert.deepEqual((await alice()).requiredActions, []);
    assert.equal((await passwordGrant(t, { username: 'alice', password: 'alice-new1' })).statusCode, 200);
    assert.equal((await adminCall(t, token, 'PUT', `/demo/users/${aliceId}/reset-password`, { type: 'password', value: 'alice', temporary: false })).statusCode, 204);
  });

  it('sends users with an unverified address to VERIFY_EMAIL when the realm verifies e-mail, with one link', async () => {
    await setRealm({ verifyEmail: true });
    await setUser({ emailVerified: false });
    assert.equal((await passwordGrant(t, { username: 'alice', password: 'alice' })).json().error_description, 'Account is not fully set up');
    const before = sink.mails.length;
    const browser = new LoginBrowser(t);
    let page = await browser.login('alice', 'alice');
    assert.equal(textOf(page.body, 'kc-page-title'), 'Email verification');
    assert.match(page.body, /has been sent to your address alice@example.com/);
    const mail = await sink.nextMail(before + 1);
    assert.equal((mail.to as { text: string }).text, 'alice@example.com');
    assert.match(mail.html as string, /action-token/);
    page = await browser.submit(page, 'kc-verify-email-form', {});
    assert.equal(textOf(page.body, 'kc-page-title'), 'Email verification');

    const link = linkIn(mail.text);
    const verified = await t.app.inject({ method: 'GET', url: link });
    assert.equal(textOf(verified.body, 'kc-info-message'), 'Your email address has been verified.');
    assert.equal((await t.app.inject({ method: 'GET', url: link })).statusCode, 400);
    codeOf(await browser.submit(page, 'kc-verify-email-form', {}));
    assert.equal((await alice()).emailVerified, true);
    assert.equal(sink.mails.length, before + 1, 'one link for one login');
  });

  it('asks a newly registered user to verify the address', async () => {
    await setRealm({ verifyEmail: true, registrationAllowed: true });
    const before = sink.mails.length;
    const browser = new LoginBrowser(t);
    const register = await browser.get(`${DEMO}/registrations?${new URLSearchParams({ client_id: 'demo-service', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid' })}`);
    const page = await browser.submit(register, 'kc-register-form', { username: 'vera', email: 'vera@example.com', firstName: 'Vera', lastName: 'V', password: 'vera-pass1', 'password-confirm': 'vera-pass1' });
    assert.equal(textOf(page.body, 'kc-page-title'), 'Email verification');
    const mail = await sink.nextMail(before + 1);
    assert.equal((mail.to as { text: string }).text, 'vera@example.com');
    await setRealm({ registrationAllowed: false });
  });

  it('changes the address on UPDATE_EMAIL only once the link sent to the new one is followed', async () => {
    await setRealm({ verifyEmail: true });
    assert.equal((await adminCall(t, token, 'PUT', '/demo/authentication/required-actions/UPDATE_EMAIL', { enabled: true })).statusCode, 204);
    await setUser({ requiredActions: ['UPDATE_EMAIL'] });
    const browser = new LoginBrowser(t);
    let page = await browser.login('alice', 'alice');
    assert.equal(textOf(page.body, 'kc-page-title'), 'Update email');
    page = await browser.submit(page, 'kc-update-email-form', { email: 'BOB@example.com' });
    assert.equal(textOf(page.body, 'input-error-email'), 'Email already exists.');
    page = await browser.submit(page, 'kc-update-email-form', { email: 'not an address' });
    assert.equal(textOf(page.body, 'input-error-email'), 'Invalid email address.');
    const before = sink.mails.length;
    page = await browser.submit(page, 'kc-update-email-form', { email: 'alice.new@example.com' });
    assert.equal(textOf(page.body, 'kc-page-title'), 'Confirmation email sent');
    assert.equal(textOf(page.body, 'kc-info-message'), 'A confirmation email has been sent to alice.new@example.com. You must follow the instructions of the former to complete the email update.');
    assert.equal((await alice()).email, 'alice@example.com');

    const mail = await sink.nextMail(before + 1);
    assert.equal((mail.to as { text: string }).text, 'alice.new@example.com');
    assert.equal(mail.subject, 'Confirm your new e-mail address');
    assert.match(mail.html as string, /<b>alice.new@example.com<\/b>/);
    const link = linkIn(mail.text);
    const followed = await t.app.inject({ method: 'GET', url: link });
    assert.equal(followed.statusCode, 200);
    assert.equal(textOf(followed.body, 'kc-page-title'), 'Email updated');
    assert.equal(textOf(followed.body, 'kc-info-message'), 'The account email has been successfully updated to alice.new@example.com.');
    const updated = await alice();
    assert.equal(updated.email, 'alice.new@example.com');
    assert.equal(updated.emailVerified, true);
    assert.deepEqual(updated.requiredActions, []);
    const again = await t.app.inject({ method: 'GET', url: link });
    assert.equal(again.statusCode, 400, 'a link works once');
    const tampered = await t.app.inject({ method: 'GET', url: link.replace(/key=([^&]+)/, (_, key: string) => `key=${key.slice(0, -4)}AAAA`) });
    assert.equal(tampered.statusCode, 400);
    assert.equal((await adminCall(t, token, 'PUT', '/demo/authentication/required-actions/UPDATE_EMAIL', { enabled: false })).statusCode, 204);
  });
});

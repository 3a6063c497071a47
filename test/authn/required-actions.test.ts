/**
 * Required actions in the browser flow, through the pages' forms (app.inject): a temporary
 * password leads to the update-password page (mismatch, policy refusal with Keycloak's text,
 * then the new password is the only one that works); terms and conditions (accept, decline);
 * update profile and update email with their validation; verify email without e-mail sending;
 * and the password grant refusing a user with an action pending.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { adminCall, adminToken, codeOf, LoginBrowser, passwordGrant, textOf } from './login-browser.ts';

describe('required actions', () => {
  let t: TestApp;
  let token: string;
  let aliceId: string;
  before(async () => {
    t = await testApp();
    token = await adminToken(t);
    aliceId = (await adminCall(t, token, 'GET', '/demo/users?username=alice&exact=true')).json()[0].id;
  });
  after(() => t.close());

  const setUser = async (fields: Record<string, unknown>) => assert.equal((await adminCall(t, token, 'PUT', `/demo/users/${aliceId}`, fields)).statusCode, 204);
  const setAction = async (alias: string, fields: Record<string, unknown>) => assert.equal((await adminCall(t, token, 'PUT', `/demo/authentication/required-actions/${alias}`, fields)).statusCode, 204);
  beforeEach(async () => {
    // Some tests move the clock by days: the admin token is taken again each time.
    token = await adminToken(t);
    const reset = await adminCall(t, token, 'PUT', `/demo/users/${aliceId}/reset-password`, { type: 'password', value: 'alice', temporary: false });
    assert.equal(reset.statusCode, 204, reset.body);
    await setUser({ requiredActions: [], email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell', emailVerified: true });
  });

  it('turns a temporary password into the update-password page, enforcing the policy', async () => {
    assert.equal((await adminCall(t, token, 'PUT', '/demo', { passwordPolicy: 'length(8) and digits(1)' })).statusCode, 204);
    assert.equal((await adminCall(t, token, 'PUT', `/demo/users/${aliceId}/reset-password`, { type: 'password', value: 'temporary1', temporary: true })).statusCode, 204);
    assert.equal((await passwordGrant(t, { username: 'alice', password: 'temporary1' })).json().error_description, 'Account is not fully set up');

    const browser = new LoginBrowser(t);
    let page = await browser.login('alice', 'temporary1');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /id="password-new"/);
    assert.match(page.body, /id="password-confirm"/);
    assert.equal(textOf(page.body, 'kc-page-title'), 'Update password');

    page = await browser.submit(page, 'kc-passwd-update-form', { 'password-new': 'newpassword1', 'password-confirm': 'other' });
    assert.equal(textOf(page.body, 'input-error-password-confirm'), "Passwords don't match.");
    page = await browser.submit(page, 'kc-passwd-update-form', { 'password-new': 'short1', 'password-confirm': 'short1' });
    assert.equal(textOf(page.body, 'input-error-password-new'), 'Invalid password: minimum length 8.');
    page = await browser.submit(page, 'kc-passwd-update-form', { 'password-new': 'longenough', 'password-confirm': 'longenough' });
    assert.equal(textOf(page.body, 'input-error-password-new'), 'Invalid password: must contain at least 1 numerical digits.');
    codeOf(await browser.submit(page, 'kc-passwd-update-form', { 'password-new': 'newpassword1', 'password-confirm': 'newpassword1' }));

    assert.equal((await passwordGrant(t, { username: 'alice', password: 'temporary1' })).statusCode, 401);
    assert.equal((await passwordGrant(t, { username: 'alice', password: 'newpassword1' })).statusCode, 200);
    const user = (await adminCall(t, token, 'GET', `/demo/users/${aliceId}`)).json();
    assert.deepEqual(user.requiredActions, []);
    assert.equal((await adminCall(t, token, 'PUT', '/demo', { passwordPolicy: '' })).statusCode, 204);
  });

  it('asks for a new password once forceExpiredPasswordChange says the password is too old', async () => {
    assert.equal((await adminCall(t, token, 'PUT', '/demo', { passwordPolicy: 'forceExpiredPasswordChange(1)' })).statusCode, 204);
    const browser = new LoginBrowser(t);
    codeOf(await browser.login('alice', 'alice'));
    t.clock.advanceSeconds(2 * 86_400);
    const later = new LoginBrowser(t);
    const page = await later.login('alice', 'alice');
    assert.match(page.body, /id="kc-passwd-update-form"/);
    assert.equal((await passwordGrant(t, { username: 'alice', password: 'alice' })).json().error_description, 'Account is not fully set up');
    codeOf(await later.submit(page, 'kc-passwd-update-form', { 'password-new': 'fresh-pass', 'password-confirm': 'fresh-pass' }));
    assert.equal((await passwordGrant(t, { username: 'alice', password: 'fresh-pass' })).statusCode, 200);
    assert.equal((await adminCall(t, await adminToken(t), 'PUT', '/demo', { passwordPolicy: '' })).statusCode, 204);
  });

  it('records accepted terms and ends the login with access_denied when they are declined', async () => {
    await setAction('TERMS_AND_CONDITIONS', { enabled: true });
    await setUser({ requiredActions: ['TERMS_AND_CONDITIONS'] });
    const declining = new LoginBrowser(t);
    const terms = await declining.login('alice', 'alice');
    assert.equal(textOf(terms.body, 'kc-page-title'), 'Terms and Conditions');
    const declined = await declining.submit(terms, 'kc-terms-form', { cancel: 'Decline' });
    assert.equal(declined.statusCode, 302);
    assert.equal(new URL(declined.headers.location as string).searchParams.get('error'), 'access_denied');

    const accepting = new LoginBrowser(t);
    codeOf(await accepting.submit(await accepting.login('alice', 'alice'), 'kc-terms-form', { accept: 'Accept' }));
    // An unmanaged attribute, hidden from the admin API by the default user profile (as in Keycloak): read from the store.
    const user = (await t.ctx.realms.repository.findUserById(aliceId))!;
    assert.match(user.attributes.terms_and_conditions[0], /^\d+$/);
    assert.deepEqual(user.requiredActions, []);
    await setAction('TERMS_AND_CONDITIONS', { enabled: false });
  });

  it('skips a pending action the realm has disabled, as Keycloak does', async () => {
    await setUser({ requiredActions: ['TERMS_AND_CONDITIONS'] });
    codeOf(await new LoginBrowser(t).login('alice', 'alice'));
  });

  it('validates the update-profile page and saves it', async () => {
    await setUser({ requiredActions: ['UPDATE_PROFILE'] });
    const browser = new LoginBrowser(t);
    let page = await browser.login('alice', 'alice');
    assert.equal(textOf(page.body, 'kc-page-title'), 'Update Account Information');
    page = await browser.submit(page, 'kc-update-profile-form', { email: 'alice@example.com', firstName: '', lastName: 'L' });
    assert.equal(textOf(page.body, 'input-error-firstName'), 'Please specify first name.');
    page = await browser.submit(page, 'kc-update-profile-form', { email: 'not-an-email', firstName: 'Al', lastName: 'L' });
    assert.equal(textOf(page.body, 'input-error-email'), 'Invalid email address.');
    codeOf(await browser.submit(page, 'kc-update-profile-form', { email: 'al@example.com', firstName: 'Al', lastName: 'Lid' }));
    const user = (await adminCall(t, token, 'GET', `/demo/users/${aliceId}`)).json();
    assert.equal(user.firstName, 'Al');
    assert.equal(user.email, 'al@example.com');
    assert.equal(user.emailVerified, false);
  });

  it('updates the e-mail address when UPDATE_EMAIL is enabled', async () => {
    await setAction('UPDATE_EMAIL', { enabled: true });
    await setUser({ requiredActions: ['UPDATE_EMAIL'] });
    const browser = new LoginBrowser(t);
    let page = await browser.login('alice', 'alice');
    page = await browser.submit(page, 'kc-update-email-form', { email: '' });
    assert.equal(textOf(page.body, 'input-error-email'), 'Please specify email.');
    codeOf(await browser.submit(page, 'kc-update-email-form', { email: 'new@example.com' }));
    assert.equal((await adminCall(t, token, 'GET', `/demo/users/${aliceId}`)).json().email, 'new@example.com');
    await setAction('UPDATE_EMAIL', { enabled: false });
  });

  it('waits on verify-email, saying e-mail sending is not configured, until the address is verified', async () => {
    await setUser({ requiredActions: ['VERIFY_EMAIL'], emailVerified: false });
    const browser = new LoginBrowser(t);
    let page = await browser.login('alice', 'alice');
    assert.equal(textOf(page.body, 'kc-page-title'), 'Email verification');
    assert.match(page.body, /id="kc-email-sending-not-configured"/);
    page = await browser.submit(page, 'kc-verify-email-form', {});
    assert.match(page.body, /id="kc-email-sending-not-configured"/);
    await setUser({ emailVerified: true });
    codeOf(await browser.submit(page, 'kc-verify-email-form', {}));
  });

  it('refuses a form posted with a stale session_code, showing the current step again', async () => {
    await setUser({ requiredActions: ['UPDATE_PROFILE'] });
    const browser = new LoginBrowser(t);
    const first = await browser.login('alice', 'alice');
    const second = await browser.submit(first, 'kc-update-profile-form', { email: 'x', firstName: '', lastName: '' });
    const replayed = await browser.submit(first, 'kc-update-profile-form', { email: 'alice@example.com', firstName: 'A', lastName: 'B' });
    assert.equal(replayed.statusCode, 200);
    assert.equal(textOf(replayed.body, 'kc-info-message'), 'Page has expired. Please sign in again.');
    assert.equal((await adminCall(t, token, 'GET', `/demo/users/${aliceId}`)).json().firstName, 'Alice');
    codeOf(await browser.submit(replayed, 'kc-update-profile-form', { email: 'alice@example.com', firstName: 'A', lastName: 'B' }));
    assert.ok(second);
  });
});

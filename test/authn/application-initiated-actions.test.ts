/**
 * Application-initiated actions (`kc_action`, keycloak-js `login({action})`) through the pages'
 * forms: an enabled required action runs even when not pending, also for a browser with an SSO
 * cookie, with Keycloak's Cancel button (`cancel-aia`); the response carries `kc_action` and
 * `kc_action_status` (`success`, `cancelled`); an SSO login older than the action's maximum age
 * asks for the password first.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, testApp, type TestApp } from '../support/app.ts';
import { adminCall, adminToken, codeOf, formActionOf, LoginBrowser, passwordGrant, REDIRECT, textOf } from './login-browser.ts';

const actionUrl = (kcAction: string) => `${DEMO}/auth?${new URLSearchParams({ client_id: 'demo-service', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: 'st', kc_action: kcAction })}`;
const paramsOf = (location: unknown) => new URL(location as string).searchParams;

describe('application-initiated actions', () => {
  let t: TestApp;
  let aliceId: string;
  before(async () => {
    t = await testApp();
    aliceId = (await adminCall(t, await adminToken(t), 'GET', '/demo/users?username=alice&exact=true')).json()[0].id;
  });
  after(() => t.close());

  it('runs UPDATE_PASSWORD for an SSO user on request, cancelled or done', async () => {
    const browser = new LoginBrowser(t);
    codeOf(await browser.login('alice', 'alice'));

    let page = await browser.get(actionUrl('UPDATE_PASSWORD'));
    assert.equal(page.statusCode, 200);
    assert.equal(textOf(page.body, 'kc-page-title'), 'Update password');
    assert.match(page.body, /id="kc-cancel" name="cancel-aia"/);
    const cancelled = await browser.submit(page, 'kc-cancel-aia-form', { 'cancel-aia': 'Cancel' });
    codeOf(cancelled);
    assert.equal(paramsOf(cancelled.headers.location).get('kc_action'), 'UPDATE_PASSWORD');
    assert.equal(paramsOf(cancelled.headers.location).get('kc_action_status'), 'cancelled');
    assert.equal((await passwordGrant(t, { username: 'alice', password: 'alice' })).statusCode, 200);

    page = await browser.get(actionUrl('UPDATE_PASSWORD'));
    assert.equal(formActionOf(page.body, 'kc-cancel-aia-form'), formActionOf(page.body, 'kc-passwd-update-form'));
    const done = await browser.submit(page, 'kc-passwd-update-form', { 'password-new': 'alice-aia1', 'password-confirm': 'alice-aia1' });
    codeOf(done);
    assert.equal(paramsOf(done.headers.location).get('kc_action_status'), 'success');
    assert.equal((await passwordGrant(t, { username: 'alice', password: 'alice-aia1' })).statusCode, 200);

    // Without a request, the SSO cookie completes at once again.
    codeOf(await browser.open());
    assert.equal((await adminCall(t, await adminToken(t), 'PUT', `/demo/users/${aliceId}/reset-password`, { type: 'password', value: 'alice', temporary: false })).statusCode, 204);
  });

  it('asks for the password first when the SSO login is older than the action allows', async () => {
    const browser = new LoginBrowser(t);
    codeOf(await browser.login('alice', 'alice'));
    t.clock.advanceSeconds(301);
    let page = await browser.get(actionUrl('UPDATE_PASSWORD'));
    assert.match(page.body, /id="kc-form-login"/);
    page = await browser.submit(page, 'kc-form-login', { username: 'alice', password: 'alice' });
    assert.equal(textOf(page.body, 'kc-page-title'), 'Update password');
    const cancelled = await browser.submit(page, 'kc-cancel-aia-form', { 'cancel-aia': 'Cancel' });
    assert.equal(paramsOf(cancelled.headers.location).get('kc_action_status'), 'cancelled');
  });
});

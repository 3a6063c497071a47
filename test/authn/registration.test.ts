/**
 * Registration (issue 13.6) through the pages' forms (app.inject): the "Register" link only when
 * the realm allows it, the registration form with Keycloak's field names and texts, every field
 * problem shown at once (missing fields, invalid e-mail, password confirmation, policy, oversized
 * values), duplicate username and e-mail, a stale `session_code` (CSRF), registration disabled
 * (the link, the page, prompt=create and /registrations), registrationEmailAsUsername, the
 * new user logged in with a code, with REGISTER and REGISTER_ERROR events, and the form
 * rate-limited per address like the login form.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, testApp, type TestApp } from '../support/app.ts';
import { adminCall, adminToken, codeOf, formActionOf, inputValue, LoginBrowser, passwordGrant, REDIRECT, textOf } from './login-browser.ts';

const unescape = (text: string) => text.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c)));

/** The href of the login page's "Register" link. */
function registerLink(html: string): string {
  const match = /<div id="kc-registration"><span>New user\? <a href="([^"]+)"[^>]*>Register<\/a>/.exec(html);
  assert.ok(match, `no Register link in ${html.slice(0, 1500)}`);
  const url = new URL(unescape(match[1]));
  return url.pathname + url.search;
}

const AUTH_QUERY = new URLSearchParams({ client_id: 'demo-service', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: 'st' });

describe('registration', () => {
  let t: TestApp;
  let token: string;
  const setRealm = async (fields: Record<string, unknown>) => assert.equal((await adminCall(t, token, 'PUT', '/demo', fields)).statusCode, 204);
  const events = async (type: string) => {
    await t.ctx.events.writer.flush();
    return (await adminCall(t, await adminToken(t), 'GET', `/demo/events?type=${type}`)).json() as Array<Record<string, any>>;
  };
  const full = { firstName: 'Reggie', lastName: 'Stration', email: 'reggie@example.com', username: 'reggie', password: 'reggie-pass1', 'password-confirm': 'reggie-pass1' };

  before(async () => {
    t = await testApp();
    token = await adminToken(t);
    await setRealm({ eventsEnabled: true, enabledEventTypes: ['REGISTER', 'REGISTER_ERROR', 'LOGIN'] });
  });
  after(() => t.close());

  it('refuses registration while the realm does not allow it', async () => {
    await setRealm({ registrationAllowed: false });
    const browser = new LoginBrowser(t);
    const login = await browser.open();
    assert.doesNotMatch(login.body, /kc-registration/);
    const tabId = /tab_id=([^&"]+)/.exec(unescape(login.body))![1];
    for (const url of [`/realms/demo/login-actions/registration?client_id=demo-service&tab_id=${tabId}`, `${DEMO}/registrations?${AUTH_QUERY}`, `${DEMO}/auth?${AUTH_QUERY}&prompt=create`]) {
      const page = await browser.get(url);
      assert.equal(page.statusCode, 400, url);
      assert.equal(textOf(page.body, 'kc-error-message'), 'Registration not allowed', url);
    }
    const discovery = (await t.app.inject({ method: 'GET', url: '/realms/demo/.well-known/openid-configuration' })).json();
    assert.deepEqual(discovery.prompt_values_supported, ['none', 'login', 'consent']);
  });

  it('registers from the Register link, showing every problem with Keycloak’s texts first', async () => {
    await setRealm({ registrationAllowed: true, passwordPolicy: 'length(8) and digits(1)' });
    const discovery = (await t.app.inject({ method: 'GET', url: '/realms/demo/.well-known/openid-configuration' })).json();
    assert.deepEqual(discovery.prompt_values_supported, ['none', 'login', 'consent', 'create']);
    const browser = new LoginBrowser(t);
    let page = await browser.get(registerLink((await browser.open()).body));
    assert.equal(page.statusCode, 200);
    assert.equal(textOf(page.body, 'kc-page-title'), 'Register');
    for (const id of ['firstName', 'lastName', 'email', 'username', 'password', 'password-confirm']) assert.match(page.body, new RegExp(`<input id="${id}" name="${id}"`));
    assert.match(page.body, /id="kc-register" type="submit" value="Register"/);
    assert.match(page.body, /Back to Login<\/a>/);

    page = await browser.submit(page, 'kc-register-form', { firstName: '', lastName: '', email: 'not-an-email', username: '', password: 'abc', 'password-confirm': 'abd' });
    assert.equal(page.statusCode, 200);
    assert.equal(textOf(page.body, 'input-error-username'), 'Please specify username.');
    assert.equal(textOf(page.body, 'input-error-email'), 'Invalid email address.');
    assert.equal(textOf(page.body, 'input-error-firstName'), 'Please specify this field.');
    assert.equal(textOf(page.body, 'input-error-lastName'), 'Please specify this field.');
    assert.equal(textOf(page.body, 'input-error-password-confirm'), "Password confirmation doesn't match.");
    assert.equal(inputValue(page.body, 'email'), 'not-an-email');

    page = await browser.submit(page, 'kc-register-form', { ...full, password: 'short1', 'password-confirm': 'short1' });
    assert.equal(textOf(page.body, 'input-error-password'), 'Invalid password: minimum length 8.');
    page = await browser.submit(page, 'kc-register-form', { ...full, password: '', 'password-confirm': '' });
    assert.equal(textOf(page.body, 'input-error-password'), 'Please specify password.');
    page = await browser.submit(page, 'kc-register-form', { ...full, lastName: 'x'.repeat(300) });
    assert.equal(textOf(page.body, 'input-error-lastName'), 'Maximal length is 255.');
    page = await browser.submit(page, 'kc-register-form', { ...full, username: 'y'.repeat(5000) });
    assert.equal(textOf(page.body, 'input-error-username'), 'Maximal length is 2048.');

    const done = await browser.submit(page, 'kc-register-form', full);
    const code = codeOf(done);
    const tokens = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, payload: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'demo-service', client_secret: 'demo-service-secret' }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(tokens.statusCode, 200, tokens.body);
    assert.equal((await passwordGrant(t, { username: 'reggie', password: 'reggie-pass1' })).statusCode, 200);
    const user = (await adminCall(t, token, 'GET', '/demo/users?username=reggie&exact=true')).json()[0];
    assert.equal(user.email, 'reggie@example.com');
    assert.equal(user.firstName, 'Reggie');
    assert.equal(user.emailVerified, false);
    assert.equal(user.enabled, true);

    const registered = await events('REGISTER');
    assert.equal(registered.length, 1);
    assert.equal(registered[0].userId, user.id);
    assert.equal(registered[0].details.register_method, 'form');
    assert.equal(registered[0].details.username, 'reggie');
    assert.equal(registered[0].details.email, 'reggie@example.com');
    assert.equal(registered[0].details.first_name, 'Reggie');
    const refused = await events('REGISTER_ERROR');
    assert.ok(refused.length >= 5);
    assert.ok(refused.every((e) => e.error === 'invalid_registration'));
    assert.ok((await events('LOGIN')).some((e) => e.userId === user.id));
    await setRealm({ passwordPolicy: '' });
  });

  it('refuses a taken username and e-mail, and a form without its session_code', async () => {
    const browser = new LoginBrowser(t);
    let page = await browser.get(`${DEMO}/auth?${AUTH_QUERY}&prompt=create`);
    assert.equal(textOf(page.body, 'kc-page-title'), 'Register');
    page = await browser.submit(page, 'kc-register-form', { ...full, username: 'alice', email: 'ALICE@example.com' });
    assert.equal(textOf(page.body, 'input-error-username'), 'Username already exists.');
    assert.equal(textOf(page.body, 'input-error-email'), 'Email already exists.');
    const errors = await events('REGISTER_ERROR');
    assert.deepEqual(errors.filter((e) => e.details.username === 'alice').map((e) => e.error), ['email_in_use']);

    // A cross-site form cannot know the page's session_code: nothing is created.
    const action = formActionOf(page.body, 'kc-register-form').replace(/session_code=[^&]+/, 'session_code=forged');
    const body = new URLSearchParams({ ...full, username: 'mallory', email: 'mallory@example.com' }).toString();
    const forged = await t.app.inject({ method: 'POST', url: action, payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: browser['cookie'] } });
    assert.equal(forged.statusCode, 200);
    assert.equal(textOf(forged.body, 'kc-info-message'), 'Page has expired. Please sign in again.');
    assert.deepEqual((await adminCall(t, token, 'GET', '/demo/users?username=mallory&exact=true')).json(), []);
    const noCookie = await t.app.inject({ method: 'POST', url: formActionOf(page.body, 'kc-register-form'), payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(noCookie.statusCode, 400);
    assert.deepEqual((await adminCall(t, token, 'GET', '/demo/users?username=mallory&exact=true')).json(), []);
  });

  it('goes back to the login form, and registers through /registrations with the e-mail as username', async () => {
    await setRealm({ registrationEmailAsUsername: true });
    const browser = new LoginBrowser(t);
    let page = await browser.get(`${DEMO}/registrations?${AUTH_QUERY}`);
    assert.doesNotMatch(page.body, /id="username"/);
    const back = /<a href="([^"]+)">« Back to Login<\/a>/.exec(page.body);
    assert.ok(back);
    const login = await browser.get(new URL(unescape(back[1])).pathname + new URL(unescape(back[1])).search);
    assert.match(login.body, /id="kc-form-login"/);
    page = await browser.get(registerLink(login.body));
    page = await browser.submit(page, 'kc-register-form', { ...full, email: 'alice@example.com' });
    assert.equal(textOf(page.body, 'input-error-email'), 'Email already exists.');
    codeOf(await browser.submit(page, 'kc-register-form', { ...full, email: 'Erin@Example.com', username: 'ignored' }));
    const user = (await adminCall(t, token, 'GET', '/demo/users?username=erin@example.com&exact=true')).json()[0];
    assert.equal(user.email, 'erin@example.com');
    await setRealm({ registrationEmailAsUsername: false });
  });

  it('rate-limits the registration form per address like the login form', async () => {
    const limited = await testApp({ rateLimit: { windowSeconds: 60, perIp: 2, perClient: 0, exempt: [] } });
    try {
      const post = () =>
        limited.app.inject({ method: 'POST', url: '/realms/demo/login-actions/registration?client_id=demo-service&tab_id=x&session_code=y', payload: new URLSearchParams(full).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: '10.9.0.1' });
      assert.equal((await post()).statusCode, 400);
      assert.equal((await post()).statusCode, 400);
      const refused = await post();
      assert.equal(refused.statusCode, 429);
      assert.ok(Number(refused.headers['retry-after']) >= 1);
      assert.match(refused.body, /Too many requests/);
      const registrations = (n: number) => limited.app.inject({ method: 'GET', url: `${DEMO}/registrations?${AUTH_QUERY}`, remoteAddress: `10.9.1.${n}` });
      assert.equal((await registrations(1)).statusCode, 400, 'registration is off in this app');
      assert.equal((await registrations(1)).statusCode, 400);
      assert.equal((await registrations(1)).statusCode, 429);
    } finally {
      await limited.close();
    }
  });
});

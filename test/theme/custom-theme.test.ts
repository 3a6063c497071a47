/**
 * An operator's theme from --themes-dir, picked by the realm's `loginTheme`: it extends holdfast's
 * theme (`parent=holdfast`) with only the files it changes. A broken theme or template, a loop of
 * parents or an unknown name falls back to the default theme, logged, never a 500.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO, testApp, type TestApp } from '../support/app.ts';
import { adminHeaders } from '../support/inject-browser.ts';
import { textOf } from '../authn/login-browser.ts';

function write(root: string, file: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), content);
}

describe('operator themes', () => {
  let t: TestApp;
  let admin: { authorization: string };
  let dir: string;
  const query = new URLSearchParams({ client_id: 'demo-service', redirect_uri: 'http://localhost:3000/cb', response_type: 'code', scope: 'openid' });
  const useTheme = async (loginTheme: string) =>
    assert.equal((await t.app.inject({ method: 'PUT', url: '/admin/realms/demo', headers: admin, payload: { loginTheme } })).statusCode, 204);
  const loginPage = () => t.app.inject({ method: 'GET', url: `${DEMO}/auth?${query}` });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-themes-'));
    write(dir, 'acme/login/theme.properties', 'parent=holdfast\n');
    write(dir, 'acme/login/messages/messages_en.properties', 'loginAccountTitle=Welcome to ACME\n');
    write(dir, 'acme/login/resources/css/acme.css', 'body { color: #123; }\n');
    write(dir, 'acme/login/login.eta', "<% layout('@template', { heading: it.msg('loginAccountTitle') }) %>\n<p id=\"acme-banner\">ACME <%= it.realm.displayName %></p>\n<form id=\"kc-form-login\" method=\"post\" action=\"<%= it.page.action %>\"><input id=\"username\" name=\"username\"><input id=\"password\" name=\"password\" type=\"password\"><input id=\"kc-login\" type=\"submit\"></form>\n");
    write(dir, 'broken/login/theme.properties', 'parent=holdfast\n');
    write(dir, 'broken/login/login.eta', '<%= it.page.nothing.here %>\n');
    write(dir, 'unparsable/login/login.eta', '<% if ( %>\n');
    write(dir, 'loop/login/theme.properties', 'parent=loop\n');
    t = await testApp({ themesDir: dir });
    admin = await adminHeaders(t);
  });
  after(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("shows the realm's theme: its own files, and its parent's for the rest", async () => {
    await useTheme('acme');
    const page = await loginPage();
    assert.equal(page.statusCode, 200);
    assert.equal(textOf(page.body, 'kc-page-title'), 'Welcome to ACME');
    assert.equal(textOf(page.body, 'acme-banner'), 'ACME holdfast demo');
    const css = /<link rel="stylesheet" href="([^"]+)"/.exec(page.body)![1].replace(/&#47;/g, '/');
    assert.match(css, /\/login\/acme\/css\/login\.css$/);
    assert.equal((await t.app.inject({ method: 'GET', url: css })).statusCode, 200, "the parent's stylesheet, under the theme's URL");
    assert.equal((await t.app.inject({ method: 'GET', url: css.replace('login.css', 'acme.css') })).statusCode, 200);
    // Another page the theme does not have comes from the parent, with the theme's messages.
    const error = await t.app.inject({ method: 'GET', url: `${DEMO}/auth?client_id=nope` });
    assert.equal(textOf(error.body, 'kc-error-message'), 'Client not found.');
    const info = (await t.app.inject({ method: 'GET', url: '/admin/serverinfo', headers: admin })).json();
    assert.deepEqual(info.themes.login.map((theme: { name: string }) => theme.name), ['acme', 'broken', 'holdfast', 'loop', 'unparsable']);
    const bundle = (await t.app.inject({ method: 'GET', url: '/resources/demo/login/en' })).json() as Array<{ key: string; value: string }>;
    assert.equal(bundle.find((e) => e.key === 'loginAccountTitle')?.value, 'Welcome to ACME');
  });

  it('falls back to the default theme for a broken, looping, unparsable or unknown theme', async () => {
    for (const name of ['broken', 'loop', 'unparsable', 'not-there', 'keycloak.v2']) {
      await useTheme(name);
      const page = await loginPage();
      assert.equal(page.statusCode, 200, name);
      assert.equal(textOf(page.body, 'kc-page-title'), 'Sign in to your account', name);
      assert.match(page.body, /<form id="kc-form-login" method="post"/, name);
    }
    await useTheme('');
    assert.equal((await t.app.inject({ method: 'GET', url: '/admin/realms/demo', headers: admin })).json().loginTheme, undefined, '"" clears the choice');
  });
});

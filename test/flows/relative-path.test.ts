/**
 * `--http-relative-path /auth` (Keycloak's flag, for deployments still on the legacy `/auth`
 * context path): every route, the discovery document, the issuer, redirects, cookie paths, the
 * login theme's assets, the consoles and the management interface are under the path, and
 * nothing answers outside it but Keycloak's two redirects. The flag's variable and file forms
 * and refused values are checked at the end.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DEMO_APP_AUTH_QUERY, decodeJwt, form, testApp, type TestApp } from '../support/app.ts';
import { ConfigError, parseConfig } from '../../src/config/index.ts';
import { tempDir } from '../support/process.ts';
import { formAction } from '../support/browser.ts';

const HOST = 'idp.example.test:8080';
const BASE = `http://${HOST}/auth`;
const DEMO_AUTH = '/auth/realms/demo/protocol/openid-connect';
const headers = { host: HOST };

describe('--http-relative-path /auth', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ httpRelativePath: '/auth', httpManagementRelativePath: '/auth' });
  });
  after(() => t.close());

  it('serves discovery under the path, with the issuer <base>/auth/realms/<name> and every endpoint under it', async () => {
    const response = await t.app.inject({ url: '/auth/realms/demo/.well-known/openid-configuration', headers });
    assert.equal(response.statusCode, 200);
    const discovery = response.json();
    assert.equal(discovery.issuer, `${BASE}/realms/demo`);
    for (const [name, value] of Object.entries(discovery)) {
      if (name !== 'issuer' && typeof value === 'string' && value.startsWith('http')) assert.ok(value.startsWith(`${BASE}/realms/demo/`), `${name}: ${value}`);
    }
  });

  it('answers nothing outside the path: / and the bare path redirect as Keycloak does, the rest is 404', async () => {
    assert.equal((await t.app.inject({ url: '/realms/demo/.well-known/openid-configuration', headers })).statusCode, 404);
    assert.equal((await t.app.inject({ url: '/admin/realms', headers })).statusCode, 404);
    assert.equal((await t.app.inject({ url: '/authx/realms/demo', headers })).statusCode, 404);
    const root = await t.app.inject({ url: '/', headers });
    assert.equal(root.statusCode, 302);
    assert.equal(root.headers.location, '/auth');
    const bare = await t.app.inject({ url: '/auth', headers });
    assert.equal(bare.statusCode, 303);
    assert.equal(bare.headers.location, '/auth/');
  });

  it('issues tokens whose issuer carries the path, and refreshes them there', async () => {
    const grant = await t.app.inject({ method: 'POST', url: `${DEMO_AUTH}/token`, ...form({ grant_type: 'password', client_id: 'demo-service', client_secret: 'demo-service-secret', username: 'alice', password: 'alice', scope: 'openid' }), headers: { ...form({}).headers, ...headers } });
    assert.equal(grant.statusCode, 200, grant.body);
    const tokens = grant.json();
    for (const token of [tokens.access_token, tokens.id_token, tokens.refresh_token]) assert.equal(decodeJwt(token).iss, `${BASE}/realms/demo`);
    const refreshed = await t.app.inject({ method: 'POST', url: `${DEMO_AUTH}/token`, ...form({ grant_type: 'refresh_token', client_id: 'demo-service', client_secret: 'demo-service-secret', refresh_token: tokens.refresh_token }), headers: { ...form({}).headers, ...headers } });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const userinfo = await t.app.inject({ url: `${DEMO_AUTH}/userinfo`, headers: { ...headers, authorization: `Bearer ${refreshed.json().access_token}` } });
    assert.equal(userinfo.statusCode, 200, userinfo.body);
    // A token is only good at the base URL it was issued for (Keycloak's issuer check).
    const elsewhere = await testApp();
    try {
      const refused = await elsewhere.app.inject({ method: 'POST', url: '/realms/demo/protocol/openid-connect/token', ...form({ grant_type: 'refresh_token', client_id: 'demo-service', client_secret: 'demo-service-secret', refresh_token: tokens.refresh_token }), headers: { ...form({}).headers, host: HOST } });
      assert.equal(refused.statusCode, 400);
    } finally {
      await elsewhere.close();
    }
  });

  it('puts the login form, its assets and the SSO cookies under the path, and the cookies log the browser in again', async () => {
    const page = await t.app.inject({ url: `${DEMO_AUTH}/auth?${DEMO_APP_AUTH_QUERY}`, headers });
    assert.equal(page.statusCode, 200, page.body);
    const action = formAction(page.body);
    assert.ok(action.startsWith(`${BASE}/realms/demo/login-actions/`), action);
    const attributes = [...page.body.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1].replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))));
    const assets = attributes.filter((value) => value.includes('/resources/'));
    assert.ok(assets.length > 0, 'the page links theme assets');
    for (const asset of assets) {
      assert.ok(asset.startsWith('/auth/resources/'), asset);
      assert.equal((await t.app.inject({ url: asset, headers })).statusCode, 200, asset);
    }
    for (const cookie of page.cookies as Array<{ path?: string }>) assert.equal(cookie.path, '/auth/realms/demo/');

    const url = new URL(action);
    const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const done = await t.app.inject({ method: 'POST', url: url.pathname + url.search, ...form({ username: 'alice', password: 'alice' }), headers: { ...form({}).headers, ...headers, cookie } });
    assert.equal(done.statusCode, 302, done.body);
    const sso = done.cookies.filter((c) => c.name === 'KEYCLOAK_IDENTITY' || c.name === 'KEYCLOAK_SESSION');
    assert.equal(sso.length, 2);
    for (const c of sso as Array<{ path?: string }>) assert.equal(c.path, '/auth/realms/demo/');

    const silent = new URLSearchParams(DEMO_APP_AUTH_QUERY);
    silent.set('prompt', 'none');
    const again = await t.app.inject({ url: `${DEMO_AUTH}/auth?${silent}`, headers: { ...headers, cookie: sso.map((c) => `${c.name}=${c.value}`).join('; ') } });
    assert.equal(again.statusCode, 302, again.body);
    assert.ok(new URL(again.headers.location as string).searchParams.get('code'), String(again.headers.location));
  });

  it('sends the browser to the consoles under the path', async () => {
    const admin = await t.app.inject({ url: '/auth/admin/', headers });
    assert.equal(admin.statusCode, 302);
    assert.equal(admin.headers.location, `${BASE}/admin/master/console/`);
    const account = await t.app.inject({ url: '/auth/realms/demo/account', headers: { ...headers, accept: 'text/html' } });
    if (account.statusCode === 302) assert.equal(account.headers.location, `${BASE}/realms/demo/account/`);
    else assert.equal(account.statusCode, 503, 'the account console is not built in this checkout');
  });

  it('serves the management interface under the path too (Keycloak\'s default for --http-management-relative-path)', async () => {
    assert.equal((await t.management.inject({ url: '/auth/health/ready' })).statusCode, 200);
    assert.equal((await t.management.inject({ url: '/health/ready' })).statusCode, 404);
    assert.equal((await t.management.inject({ url: '/auth/metrics' })).statusCode, 200);
  });
});

describe('--http-relative-path as a flag, a variable and a file key', () => {
  it('is read from each, normalised, and the management path follows it unless given', () => {
    assert.equal(parseConfig(['--http-relative-path', '/auth/']).httpRelativePath, '/auth');
    assert.equal(parseConfig(['--http-relative-path', '/']).httpRelativePath, '');
    assert.equal(parseConfig([]).httpRelativePath, '');
    assert.equal(parseConfig([], { HOLDFAST_HTTP_RELATIVE_PATH: '/sso/id' }).httpRelativePath, '/sso/id');
    const dir = tempDir();
    try {
      const file = path.join(dir, 'holdfast.conf');
      fs.writeFileSync(file, 'http-relative-path=/auth\n');
      const config = parseConfig(['--config-file', file]);
      assert.equal(config.httpRelativePath, '/auth');
      assert.equal(config.httpManagementRelativePath, '/auth');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(parseConfig(['--http-relative-path', '/auth', '--http-management-relative-path', '/']).httpManagementRelativePath, '');
  });

  it('refuses what is not one plain path', () => {
    for (const bad of ['auth', '/au th', '/auth/../x', '//auth', '/a?b', '/%61uth', '']) {
      assert.throws(() => parseConfig(['--http-relative-path', bad]), (error: unknown) => error instanceof ConfigError && /--http-relative-path/.test((error as Error).message), bad);
    }
    assert.throws(() => parseConfig(['--http-management-relative-path', 'x']), ConfigError);
  });
});

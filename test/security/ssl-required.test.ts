/**
 * The realm's `sslRequired`, enforced as Keycloak's SslRequired does: `external` (the default)
 * refuses plain HTTP from any client that is not on a loopback, private or link-local address,
 * `all` from everybody, `none` from nobody; an https public URL (`--hostname https://…`, the TLS
 * listener, a trusted proxy's `X-Forwarded-Proto: https`) always passes. The login pages answer
 * 400 "HTTPS required", the OAuth endpoints 403 `invalid_request` / `HTTPS required`, and a
 * refused request changes nothing in the store. Also: the HTTPS listener (a self-signed
 * certificate made at test time) and HSTS on its responses only.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { isLocalAddress } from '../../src/http/address-ranges.ts';
import { buildApp, type Holdfast } from '../../src/app.ts';
import { testConfig } from '../../src/config/index.ts';
import { listen } from '../../src/http/listeners.ts';
import { DEMO, DEMO_APP_AUTH_QUERY, form, testApp, type TestApp } from '../support/app.ts';
import { ROOT, tempDir } from '../support/process.ts';
import { httpsRequest, selfSignedCertificate } from '../support/tls.ts';

const SERVICE = { client_id: 'demo-service', client_secret: 'demo-service-secret' };
const EXTERNAL = '203.0.113.5';
const HTTPS_REQUIRED_JSON = { error: 'invalid_request', error_description: 'HTTPS required' };
const HSTS = 'max-age=31536000; includeSubDomains';

async function adminToken(t: { app: Holdfast['app'] }): Promise<string> {
  const response = await t.app.inject({ method: 'POST', url: '/realms/master/protocol/openid-connect/token', ...form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }) });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().access_token;
}

async function setSslRequired(t: { app: Holdfast['app'] }, sslRequired: 'all' | 'external' | 'none'): Promise<void> {
  const response = await t.app.inject({
    method: 'PUT',
    url: '/admin/realms/demo',
    headers: { authorization: `Bearer ${await adminToken(t)}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ sslRequired }),
  });
  assert.equal(response.statusCode, 204, response.body);
}

function passwordGrant(t: TestApp, remoteAddress: string, headers: Record<string, string> = {}) {
  const body = form({ grant_type: 'password', username: 'alice', password: 'alice', scope: 'openid', ...SERVICE });
  return t.app.inject({ method: 'POST', url: `${DEMO}/token`, payload: body.payload, headers: { ...body.headers, ...headers }, remoteAddress });
}

describe('sslRequired', () => {
  it('treats loopback, private, link-local and unique-local addresses as local, as Keycloak does', () => {
    for (const address of ['127.0.0.1', '127.9.9.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.10.10', '::1', 'fe80::1', 'fec0::1', 'fd12:3456::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1']) {
      assert.equal(isLocalAddress(address), true, address);
    }
    for (const address of ['172.32.0.1', '172.15.255.255', '8.8.8.8', '0.0.0.0', '2001:db8::1', '::ffff:8.8.8.8', '', 'localhost', undefined]) {
      assert.equal(isLocalAddress(address), false, String(address));
    }
  });

  describe('on plain HTTP', () => {
    let t: TestApp;
    let refreshToken: string;
    let sessionId: string;
    before(async () => {
      t = await testApp();
      const issued = await passwordGrant(t, '127.0.0.1');
      assert.equal(issued.statusCode, 200);
      refreshToken = issued.json().refresh_token;
      sessionId = issued.json().session_state;
    });
    after(() => t.close());

    it('refuses the OAuth endpoints to an external client with 403 invalid_request "HTTPS required", storing nothing', async () => {
      const sessionsBefore = await t.ctx.store.countUserSessions();
      const token = await passwordGrant(t, EXTERNAL);
      assert.equal(token.statusCode, 403);
      assert.deepEqual(token.json(), HTTPS_REQUIRED_JSON);
      assert.equal(token.headers['cache-control'], 'no-store');
      for (const [url, fields] of [
        [`${DEMO}/token/introspect`, { token: refreshToken, ...SERVICE }],
        [`${DEMO}/revoke`, { token: refreshToken, ...SERVICE }],
        [`${DEMO}/logout`, { refresh_token: refreshToken, ...SERVICE }],
        [`${DEMO}/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, ...SERVICE }],
      ] as const) {
        const response = await t.app.inject({ method: 'POST', url, ...form(fields), remoteAddress: EXTERNAL });
        assert.equal(response.statusCode, 403, url);
        assert.deepEqual(response.json(), HTTPS_REQUIRED_JSON, url);
      }
      // Neither the revocation nor the logout happened; the session is as it was.
      assert.equal(await t.ctx.store.countUserSessions(), sessionsBefore);
      assert.ok(await t.ctx.store.getUserSession(sessionId, false));
      assert.equal((await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'refresh_token', refresh_token: refreshToken, ...SERVICE }) })).statusCode, 200);
    });

    it('refuses the login pages to an external client with a 400 "HTTPS required" page and no login cookie', async () => {
      const auth = await t.app.inject({ method: 'GET', url: `${DEMO}/auth?${DEMO_APP_AUTH_QUERY}`, remoteAddress: EXTERNAL });
      assert.equal(auth.statusCode, 400);
      assert.match(auth.headers['content-type'] as string, /^text\/html/);
      assert.match(auth.body, /HTTPS required/);
      assert.equal(auth.headers['set-cookie'], undefined);
      const login = await t.app.inject({
        method: 'POST',
        url: `/realms/demo/login-actions/authenticate?client_id=demo-app&tab_id=x&session_code=y`,
        ...form({ username: 'alice', password: 'alice' }),
        remoteAddress: EXTERNAL,
      });
      assert.equal(login.statusCode, 400);
      assert.match(login.body, /HTTPS required/);
    });

    it('lets local clients through, and leaves discovery and keys open as Keycloak does', async () => {
      for (const address of ['10.0.0.7', '192.168.0.9', '::1']) assert.equal((await passwordGrant(t, address)).statusCode, 200, address);
      assert.equal((await t.app.inject({ method: 'GET', url: `${DEMO}/auth?${DEMO_APP_AUTH_QUERY}`, remoteAddress: '172.20.0.2' })).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'GET', url: '/realms/demo/.well-known/openid-configuration', remoteAddress: EXTERNAL })).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'GET', url: `${DEMO}/certs`, remoteAddress: EXTERNAL })).statusCode, 200);
    });

    it('all: refuses even loopback clients; none: refuses nobody', async () => {
      await setSslRequired(t, 'all');
      assert.deepEqual((await passwordGrant(t, '127.0.0.1')).json(), HTTPS_REQUIRED_JSON);
      // Another realm keeps its own setting: master (external) still serves loopback.
      assert.ok(await adminToken(t));
      await setSslRequired(t, 'none');
      assert.equal((await passwordGrant(t, EXTERNAL)).statusCode, 200);
      await setSslRequired(t, 'external');
    });
  });

  it('passes when the public URL is https: --hostname https://…, or a trusted proxy saying so', async () => {
    const behindHostname = await testApp({ hostname: 'https://id.example.com' });
    try {
      assert.equal((await passwordGrant(behindHostname, EXTERNAL)).statusCode, 200);
    } finally {
      await behindHostname.close();
    }
    const behindProxy = await testApp({ proxyHeaders: 'xforwarded', proxyTrustedAddresses: ['10.0.0.1'] });
    try {
      assert.equal((await passwordGrant(behindProxy, '10.0.0.1', { 'x-forwarded-for': EXTERNAL, 'x-forwarded-proto': 'https' })).statusCode, 200);
      // The client is external and the proxy says http: refused.
      assert.deepEqual((await passwordGrant(behindProxy, '10.0.0.1', { 'x-forwarded-for': EXTERNAL, 'x-forwarded-proto': 'http' })).json(), HTTPS_REQUIRED_JSON);
      // An untrusted peer cannot claim https.
      assert.deepEqual((await passwordGrant(behindProxy, EXTERNAL, { 'x-forwarded-proto': 'https' })).json(), HTTPS_REQUIRED_JSON);
    } finally {
      await behindProxy.close();
    }
  });
});

describe('HTTPS listener', () => {
  let holdfast: Holdfast;
  let directory: string;
  let ca: Buffer;
  let ports: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    directory = tempDir('holdfast-tls-');
    const certificate = selfSignedCertificate(directory);
    ca = certificate.certificate;
    const config = testConfig({ httpsCertificateFile: certificate.certificateFile, httpsCertificateKeyFile: certificate.keyFile });
    holdfast = await buildApp({ config });
    ports = await listen(holdfast, config);
  });
  after(async () => {
    await holdfast.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('serves the same routes over HTTPS, with the https issuer and HSTS; plain HTTP gets no HSTS', async () => {
    assert.ok(ports.https && ports.https !== ports.http);
    const secure = await httpsRequest(ports.https, ca, '/realms/demo/.well-known/openid-configuration');
    assert.equal(secure.status, 200);
    assert.equal(JSON.parse(secure.body).issuer, `https://127.0.0.1:${ports.https}/realms/demo`);
    assert.equal(secure.headers['strict-transport-security'], HSTS);
    const errorOverHttps = await httpsRequest(ports.https, ca, '/no/such/path');
    assert.equal(errorOverHttps.status, 404);
    assert.equal(errorOverHttps.headers['strict-transport-security'], HSTS);
    const plain = await fetch(`http://127.0.0.1:${ports.http}/realms/demo/.well-known/openid-configuration`);
    assert.equal(plain.status, 200);
    assert.equal((await plain.json()).issuer, `http://127.0.0.1:${ports.http}/realms/demo`);
    assert.equal(plain.headers.get('strict-transport-security'), null);
  });

  it('satisfies sslRequired=all over HTTPS while plain HTTP is refused', async () => {
    await setSslRequired(holdfast, 'all');
    const body = new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice', ...SERVICE }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const secure = await httpsRequest(ports.https!, ca, `${DEMO}/token`, { method: 'POST', body, headers });
    assert.equal(secure.status, 200, secure.body);
    assert.equal(secure.headers['strict-transport-security'], HSTS);
    const plain = await fetch(`http://127.0.0.1:${ports.http}${DEMO}/token`, { method: 'POST', body, headers });
    assert.equal(plain.status, 403);
    assert.deepEqual(await plain.json(), HTTPS_REQUIRED_JSON);
    await setSslRequired(holdfast, 'external');
  });

  it('refuses unreadable or mismatched certificate flags at start with one line and exit code 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--https-certificate-file', path.join(directory, 'tls.crt')], /^holdfast: --https-certificate-file and --https-certificate-key-file go together$/],
      [['--https-certificate-file', '/nonexistent/tls.crt', '--https-certificate-key-file', '/nonexistent/tls.key'], /^holdfast: --https-certificate-file: cannot read '\/nonexistent\/tls.crt' \(ENOENT\)$/],
      [['--https-certificate-file', path.join(directory, 'tls.key'), '--https-certificate-key-file', path.join(directory, 'tls.key')], /^holdfast: --https-certificate-file \/ --https-certificate-key-file: not a usable certificate and key/],
    ];
    for (const [args, message] of cases) {
      const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), 'start-dev', '--data-dir', directory, '--http-port', '0', ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(result.status, 2, result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr.trim(), message);
    }
  });
});

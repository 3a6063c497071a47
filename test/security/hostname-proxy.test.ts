/**
 * Hostname strictness and proxy headers. `holdfast start` (production) refuses to start without
 * `--hostname` unless `--hostname-strict=false`; `start-dev` takes the URL from the request. With
 * `--hostname` no Host header changes the issuer or the login form's action. `--proxy-headers
 * xforwarded|forwarded` takes the client address (stored on the session), scheme and host from
 * trusted proxies only, and only the configured kind of header; without the flag they are ignored.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, checkStartConfig, parseConfig } from '../../src/config/index.ts';
import { DEMO, DEMO_APP_AUTH_QUERY, form, testApp, type TestApp } from '../support/app.ts';
import { ROOT, tempDir } from '../support/process.ts';

const SERVICE = { client_id: 'demo-service', client_secret: 'demo-service-secret' };

function runCli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

async function issuer(t: TestApp, headers: Record<string, string>, remoteAddress = '127.0.0.1'): Promise<string> {
  const response = await t.app.inject({ method: 'GET', url: '/realms/demo/.well-known/openid-configuration', headers, remoteAddress });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().issuer;
}

/** The client address holdfast recorded for a password-grant session opened by this request. */
async function recordedAddress(t: TestApp, headers: Record<string, string>, remoteAddress: string): Promise<string> {
  const body = form({ grant_type: 'password', username: 'alice', password: 'alice', ...SERVICE });
  const response = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, payload: body.payload, headers: { ...body.headers, ...headers }, remoteAddress });
  assert.equal(response.statusCode, 200, response.body);
  return (await t.ctx.store.getUserSession(response.json().session_state, false))!.ipAddress;
}

describe('hostname strictness', () => {
  it('`holdfast start` without --hostname exits 2 with one line, before touching the data directory', () => {
    const dataDir = path.join(tempDir(), 'never-created');
    for (const env of [{}, { HOLDFAST_HOSTNAME_STRICT: 'true' }] as Array<Record<string, string>>) {
      const result = runCli(['start', '--data-dir', dataDir, '--http-port', '0'], env);
      assert.equal(result.status, 2, result.stderr);
      assert.equal(
        result.stderr,
        'holdfast: --hostname is required by `holdfast start` (or set --hostname-strict=false to take it from each request, or use `holdfast start-dev`)\n',
      );
    }
    const clash = runCli(['start-dev', '--data-dir', dataDir, '--http-port', '8765', '--http-management-port', '8765']);
    assert.equal(clash.status, 2);
    assert.equal(clash.stderr, 'holdfast: --http-management-port: 8765 is already the --http-port\n');
    const bad = runCli(['start', '--hostname', 'https://id.example.com', '--proxy-headers', 'haproxy']);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, "holdfast: --proxy-headers: expected forwarded or xforwarded, got 'haproxy'\n");
    assert.equal(fs.existsSync(dataDir), false);
  });

  it('production needs --hostname or an explicit --hostname-strict=false; start-dev does not', () => {
    const starts = (argv: string[], env: NodeJS.ProcessEnv = {}, development = false) => {
      try {
        checkStartConfig(parseConfig(argv, env, { development }));
        return 'ok';
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        return 'refused';
      }
    };
    assert.equal(starts([]), 'refused');
    assert.equal(starts(['--hostname', 'id.example.com']), 'ok');
    assert.equal(starts(['--hostname-strict=false']), 'ok');
    assert.equal(starts([], { HOLDFAST_HOSTNAME_STRICT: 'false' }), 'ok');
    assert.equal(starts([], {}, true), 'ok');
    assert.equal(starts(['--hostname-strict=true'], {}, true), 'refused');
    assert.throws(() => parseConfig(['--proxy-trusted-addresses', '10.0.0.1'], {}), /--proxy-trusted-addresses needs --proxy-headers/);
    assert.throws(() => parseConfig(['--proxy-headers', 'xforwarded', '--proxy-trusted-addresses', '10.0.0.1,proxy.local'], {}), /got 'proxy.local'/);
  });

  it('with --hostname, the Host header never decides the issuer or the login form action', async () => {
    const full = await testApp({ hostname: 'https://id.example.com' });
    const bare = await testApp({ hostname: 'id.example.com' });
    try {
      for (const host of ['evil.example', 'evil.example:4443', 'id.example.com:1']) {
        assert.equal(await issuer(full, { host }), 'https://id.example.com/realms/demo');
        assert.equal(await issuer(bare, { host }), 'http://id.example.com/realms/demo');
        const page = await full.app.inject({ method: 'GET', url: `${DEMO}/auth?${DEMO_APP_AUTH_QUERY}`, headers: { host } });
        assert.equal(page.statusCode, 200);
        const action = /<form id="kc-form-login" method="post" action="([^"]+)"/.exec(page.body)![1].replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));
        assert.match(action, /^https:\/\/id\.example\.com\/realms\/demo\/login-actions\/authenticate\?/);
        assert.doesNotMatch(page.body, /evil/);
      }
    } finally {
      await full.close();
      await bare.close();
    }
  });

  it('without --hostname (development) the Host header decides, and a malformed one is refused', async () => {
    const t = await testApp();
    try {
      assert.equal(await issuer(t, { host: 'localhost:8080' }), 'http://localhost:8080/realms/demo');
      const bad = await t.app.inject({ method: 'GET', url: '/realms/demo/.well-known/openid-configuration', headers: { host: 'a b/c' } });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(bad.json(), { error: 'invalid_request', error_description: 'Invalid Host header' });
    } finally {
      await t.close();
    }
  });
});

describe('proxy headers', () => {
  const SPOOF = { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example', forwarded: 'for=6.6.6.6;proto=https;host=evil.example' };

  it('are ignored without --proxy-headers', async () => {
    const t = await testApp();
    try {
      assert.equal(await issuer(t, { host: 'idp.local:8080', ...SPOOF }), 'http://idp.local:8080/realms/demo');
      assert.equal(await recordedAddress(t, SPOOF, '10.9.9.9'), '10.9.9.9');
    } finally {
      await t.close();
    }
  });

  it('xforwarded: believed from a trusted proxy only; the client is the rightmost untrusted address', async () => {
    const t = await testApp({ proxyHeaders: 'xforwarded', proxyTrustedAddresses: ['10.0.0.0/24'] });
    try {
      const fromProxy = { host: 'node1:8081', 'x-forwarded-for': '6.6.6.6, 10.7.0.1, 10.0.0.2', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'id.example.com' };
      assert.equal(await issuer(t, fromProxy, '10.0.0.1'), 'https://id.example.com/realms/demo');
      assert.equal(await recordedAddress(t, fromProxy, '10.0.0.1'), '10.7.0.1');
      assert.equal(await issuer(t, { ...fromProxy, 'x-forwarded-port': '8443' }, '10.0.0.1'), 'https://id.example.com:8443/realms/demo');
      // The Forwarded header is not the configured kind: ignored.
      assert.equal(await issuer(t, { host: 'node1:8081', forwarded: 'for=10.7.0.9;proto=https;host=evil.example' }, '10.0.0.1'), 'http://node1:8081/realms/demo');
      // From an address that is not a trusted proxy, nothing forwarded is believed.
      assert.equal(await issuer(t, { host: 'node1:8081', ...SPOOF }, '10.5.0.5'), 'http://node1:8081/realms/demo');
      assert.equal(await recordedAddress(t, SPOOF, '10.5.0.5'), '10.5.0.5');
      // Values that are not what they claim fall back to the connection's own.
      const garbage = { host: 'node1:8081', 'x-forwarded-for': 'not-an-ip', 'x-forwarded-proto': 'gopher', 'x-forwarded-host': 'a b' };
      assert.equal(await issuer(t, garbage, '10.0.0.1'), 'http://node1:8081/realms/demo');
      assert.equal(await recordedAddress(t, garbage, '10.0.0.1'), '10.0.0.1');
    } finally {
      await t.close();
    }
  });

  it('xforwarded without a trusted list: any peer is the proxy, only its own entry counts', async () => {
    const t = await testApp({ proxyHeaders: 'xforwarded' });
    try {
      assert.equal(await recordedAddress(t, { 'x-forwarded-for': '6.6.6.6, 10.8.0.8' }, '10.0.0.1'), '10.8.0.8');
    } finally {
      await t.close();
    }
  });

  it('forwarded (RFC 7239): for, proto and host of the client hop, IPv6 included; X-Forwarded-* ignored', async () => {
    const t = await testApp({ proxyHeaders: 'forwarded', proxyTrustedAddresses: ['10.0.0.1'] });
    try {
      const headers = { host: 'node1:8081', forwarded: 'for=6.6.6.6;proto=http, for="[fd00::7]:4711";proto=https;host=id.example.com' };
      assert.equal(await issuer(t, headers, '10.0.0.1'), 'https://id.example.com/realms/demo');
      assert.equal(await recordedAddress(t, headers, '10.0.0.1'), 'fd00::7');
      assert.equal(await issuer(t, { host: 'node1:8081', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' }, '10.0.0.1'), 'http://node1:8081/realms/demo');
      assert.equal(await recordedAddress(t, { 'x-forwarded-for': '10.6.6.6' }, '10.0.0.1'), '10.0.0.1');
    } finally {
      await t.close();
    }
  });
});

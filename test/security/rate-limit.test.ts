/**
 * Rate limits: per client address and per named client, on the token, authorization, login and
 * admin endpoints, each group counted on its own. Over the limit: 429 with `Retry-After`, an
 * OAuth body (`temporarily_unavailable` / `Too many requests`, never Fastify's) at the token and
 * admin endpoints, an error page at the browser endpoints; nothing is stored for a refused
 * request. Exempt addresses (loopback by default), other endpoints and the management interface
 * are never limited; behind a trusted proxy the forwarded client address is what is counted.
 * (Clients here use private addresses, which the realms' default `sslRequired: external` lets
 * through over plain HTTP.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, ConfigError, type RateLimitConfig } from '../../src/config/index.ts';
import { DEMO, DEMO_APP_AUTH_QUERY, form, testApp, type TestApp } from '../support/app.ts';

const SERVICE = { client_id: 'demo-service', client_secret: 'demo-service-secret' };
const TOO_MANY = { error: 'temporarily_unavailable', error_description: 'Too many requests' };

function limits(overrides: Partial<RateLimitConfig>): { rateLimit: RateLimitConfig } {
  return { rateLimit: { windowSeconds: 60, perIp: 0, perClient: 0, exempt: [], ...overrides } };
}

function passwordGrant(t: TestApp, remoteAddress: string, headers: Record<string, string> = {}, client: Record<string, string> = SERVICE) {
  const body = form({ grant_type: 'password', username: 'alice', password: 'alice', ...client });
  return t.app.inject({ method: 'POST', url: `${DEMO}/token`, payload: body.payload, headers: { ...body.headers, ...headers }, remoteAddress });
}

function assertRefused(response: { statusCode: number; headers: Record<string, unknown> }, windowSeconds = 60): void {
  assert.equal(response.statusCode, 429);
  const retryAfter = Number(response.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= windowSeconds, `Retry-After ${response.headers['retry-after']}`);
}

describe('rate limits', () => {
  it('limits one address at the token endpoint: 429 temporarily_unavailable with Retry-After, and stores nothing', async () => {
    const t = await testApp(limits({ perIp: 3 }));
    try {
      for (let i = 0; i < 3; i += 1) assert.equal((await passwordGrant(t, '10.1.0.10')).statusCode, 200);
      const sessions = await t.ctx.store.countUserSessions();
      const refused = await passwordGrant(t, '10.1.0.10');
      assertRefused(refused);
      assert.deepEqual(refused.json(), TOO_MANY);
      assert.equal(refused.headers['cache-control'], 'no-store');
      assert.doesNotMatch(refused.body, /FST_|statusCode|Rate limit exceeded/);
      assert.equal(await t.ctx.store.countUserSessions(), sessions);
      // Another address has its own budget; another endpoint group too (discovery is not limited).
      assert.equal((await passwordGrant(t, '10.1.0.11')).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'GET', url: `${DEMO}/auth?${DEMO_APP_AUTH_QUERY}`, remoteAddress: '10.1.0.10' })).statusCode, 200);
      for (let i = 0; i < 5; i += 1) {
        assert.equal((await t.app.inject({ method: 'GET', url: '/realms/demo/.well-known/openid-configuration', remoteAddress: '10.1.0.10' })).statusCode, 200);
      }
    } finally {
      await t.close();
    }
  });

  it('limits one client across addresses (client_id in the form or in Basic auth)', async () => {
    const t = await testApp(limits({ perClient: 2 }));
    try {
      assert.equal((await passwordGrant(t, '10.2.0.1')).statusCode, 200);
      const basic = { authorization: 'Basic ' + Buffer.from('demo-service:demo-service-secret').toString('base64') };
      assert.equal((await passwordGrant(t, '10.2.0.2', basic, {})).statusCode, 200);
      const refused = await passwordGrant(t, '10.2.0.3');
      assertRefused(refused);
      assert.deepEqual(refused.json(), TOO_MANY);
      // A request naming another client is not counted against demo-service.
      assert.notEqual((await passwordGrant(t, '10.2.0.3', {}, { client_id: 'demo-app' })).statusCode, 429);
    } finally {
      await t.close();
    }
  });

  it('answers the authorization endpoint and the login form with a 429 page, without a login cookie', async () => {
    const t = await testApp(limits({ perIp: 1 }));
    try {
      const url = `${DEMO}/auth?${DEMO_APP_AUTH_QUERY}`;
      assert.equal((await t.app.inject({ method: 'GET', url, remoteAddress: '10.1.0.20' })).statusCode, 200);
      const refused = await t.app.inject({ method: 'GET', url, remoteAddress: '10.1.0.20' });
      assertRefused(refused);
      assert.match(refused.headers['content-type'] as string, /^text\/html/);
      assert.match(refused.body, /Too many requests/);
      assert.equal(refused.headers['set-cookie'], undefined);
      const login = (address: string) =>
        t.app.inject({ method: 'POST', url: '/realms/demo/login-actions/authenticate?client_id=demo-app&tab_id=x&session_code=y', ...form({ username: 'alice', password: 'nope' }), remoteAddress: address });
      assert.equal((await login('10.1.0.20')).statusCode, 400);
      const refusedLogin = await login('10.1.0.20');
      assertRefused(refusedLogin);
      assert.match(refusedLogin.body, /Too many requests/);
    } finally {
      await t.close();
    }
  });

  it('limits the admin API per address with the same OAuth body', async () => {
    const t = await testApp(limits({ perIp: 2 }));
    try {
      for (let i = 0; i < 2; i += 1) assert.equal((await t.app.inject({ method: 'GET', url: '/admin/realms', remoteAddress: '10.1.0.30' })).statusCode, 401);
      const refused = await t.app.inject({ method: 'GET', url: '/admin/realms', remoteAddress: '10.1.0.30' });
      assertRefused(refused);
      assert.deepEqual(refused.json(), TOO_MANY);
    } finally {
      await t.close();
    }
  });

  it('never limits exempt addresses (loopback by default) or the management interface', async () => {
    const t = await testApp({ rateLimit: { windowSeconds: 60, perIp: 1, perClient: 1, exempt: ['127.0.0.0/8', '::1', '192.168.77.0/24'] } });
    try {
      for (const address of ['127.0.0.1', '::1', '192.168.77.7']) {
        for (let i = 0; i < 3; i += 1) assert.equal((await passwordGrant(t, address)).statusCode, 200, address);
      }
      for (let i = 0; i < 3; i += 1) {
        assert.equal((await t.management.inject({ method: 'GET', url: '/health/ready', remoteAddress: '10.1.0.40' })).statusCode, 200);
        assert.equal((await t.management.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.0.40' })).statusCode, 200);
      }
    } finally {
      await t.close();
    }
  });

  it('counts the forwarded client address behind a trusted proxy, not the proxy', async () => {
    const t = await testApp({ ...limits({ perIp: 1 }), proxyHeaders: 'xforwarded', proxyTrustedAddresses: ['10.0.0.1'] });
    try {
      const via = (client: string) => passwordGrant(t, '10.0.0.1', { 'x-forwarded-for': client });
      assert.equal((await via('10.1.0.50')).statusCode, 200);
      assert.equal((await via('10.1.0.51')).statusCode, 200);
      assertRefused(await via('10.1.0.50'));
      // A client cannot escape its budget by prepending an address of its own choosing.
      assertRefused(await via('6.6.6.6, 10.1.0.50'));
    } finally {
      await t.close();
    }
  });

  it('reads its flags, with defaults that leave loopback alone', () => {
    const defaults = parseConfig([], {}).rateLimit;
    assert.deepEqual(defaults, { windowSeconds: 60, perIp: 3000, perClient: 30_000, exempt: ['127.0.0.0/8', '::1'] });
    const set = parseConfig(['--rate-limit-window', '10', '--rate-limit-per-ip', '0', '--rate-limit-per-client', '50', '--rate-limit-exempt', '10.0.0.0/8, 2001:db8::/32'], {}).rateLimit;
    assert.deepEqual(set, { windowSeconds: 10, perIp: 0, perClient: 50, exempt: ['10.0.0.0/8', '2001:db8::/32'] });
    assert.deepEqual(parseConfig([], { HOLDFAST_RATE_LIMIT_EXEMPT: 'none' }).rateLimit.exempt, []);
    for (const [args, message] of [
      [['--rate-limit-per-ip', 'lots'], "--rate-limit-per-ip: expected an integer, got 'lots'"],
      [['--rate-limit-window', '0'], '--rate-limit-window: must be between 1 and 86400, got 0'],
      [['--rate-limit-exempt', '300.1.1.1'], "--rate-limit-exempt: expected IP addresses or CIDRs separated by commas, got '300.1.1.1'"],
      [['--rate-limit-exempt', '10.0.0.0/33'], "--rate-limit-exempt: expected IP addresses or CIDRs separated by commas, got '10.0.0.0/33'"],
    ] as Array<[string[], string]>) {
      assert.throws(() => parseConfig(args, {}), (error: Error) => error instanceof ConfigError && error.message === message, args.join(' '));
    }
  });
});

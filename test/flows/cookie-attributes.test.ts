/**
 * Browser-cookie attributes, decided as Keycloak's SecureContextResolver decides them: `Secure;
 * SameSite=None` where the realm's public URL is a secure context (https, including behind a
 * TLS-terminating proxy named by `--hostname https://…`, or a loopback host), so that apps on
 * other sites get them in keycloak-js's iframes; `SameSite=Lax` elsewhere and in Safari over
 * plain HTTP. The path is the realm's public path.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import { isSecureContext, setRealmCookie } from '../../src/http/cookies.ts';
import { DEMO, DEMO_APP_AUTH_QUERY, testApp } from '../support/app.ts';
import type { Config } from '../../src/config/index.ts';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15';

/** The attributes of the AUTH_SESSION_ID cookie that opening the login form sets. */
async function authSessionCookie(config: Partial<Config>, host: string, userAgent = CHROME): Promise<string[]> {
  const holdfast = await testApp(config);
  try {
    const response = await holdfast.app.inject({ method: 'GET', url: `${DEMO}/auth?${DEMO_APP_AUTH_QUERY}`, headers: { host, 'user-agent': userAgent } });
    assert.equal(response.statusCode, 200, response.body);
    const header = ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((c) => c.startsWith('AUTH_SESSION_ID='));
    assert.ok(header, 'AUTH_SESSION_ID is set');
    return header.split(';').slice(1).map((a) => a.trim()).sort();
  } finally {
    await holdfast.close();
  }
}

describe('browser cookie attributes', () => {
  it('are Secure and SameSite=None behind https (--hostname https://…), on the public path', async () => {
    assert.deepEqual(await authSessionCookie({ hostname: 'https://idp.example.com/auth' }, 'holdfast:8080'), ['HttpOnly', 'Path=/auth/realms/demo/', 'SameSite=None', 'Secure']);
  });

  it('are Secure and SameSite=None on a loopback host over plain HTTP', async () => {
    assert.deepEqual(await authSessionCookie({}, 'localhost:8080'), ['HttpOnly', 'Path=/realms/demo/', 'SameSite=None', 'Secure']);
    assert.deepEqual(await authSessionCookie({}, '127.0.0.1:8080'), ['HttpOnly', 'Path=/realms/demo/', 'SameSite=None', 'Secure']);
  });

  it('are Lax without Secure over plain HTTP elsewhere, and for Safari on loopback', async () => {
    assert.deepEqual(await authSessionCookie({}, 'idp.internal:8080'), ['HttpOnly', 'Path=/realms/demo/', 'SameSite=Lax']);
    assert.deepEqual(await authSessionCookie({}, 'localhost:8080', SAFARI), ['HttpOnly', 'Path=/realms/demo/', 'SameSite=Lax']);
  });

  it('follow Keycloak’s secure-context rules', () => {
    for (const url of ['https://idp.example', 'http://localhost:8080', 'http://localhost.:8080', 'http://app.localhost', 'http://127.0.0.1', 'http://127.1.2.3', 'http://[::1]:8080']) {
      assert.equal(isSecureContext(url, CHROME), true, url);
    }
    for (const url of ['http://10.0.0.10', 'http://127.0.0.1.nip.io', 'http://localhost.example.com', 'http://[::2]']) {
      assert.equal(isSecureContext(url, CHROME), false, url);
    }
    assert.equal(isSecureContext('http://localhost:8080', SAFARI), false);
    assert.equal(isSecureContext('https://idp.example', SAFARI), true);
  });

  it('carry values as Keycloak writes them: only what a cookie cannot hold is percent-encoded', async () => {
    const app = Fastify();
    await app.register(cookie);
    app.get('/set', async (request, reply) => {
      setRealmCookie(request, reply, 'http://localhost/realms/demo', 'PLAIN', 'demo/alice:1.x-y_z~', { httpOnly: true });
      setRealmCookie(request, reply, 'http://localhost/realms/demo', 'ODD', 'a b;c%', { httpOnly: true });
      return 'ok';
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/set' });
      const values = ([] as string[]).concat(response.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]);
      assert.deepEqual(values, ['PLAIN=demo/alice:1.x-y_z~', 'ODD=a%20b%3Bc%25']);
    } finally {
      await app.close();
    }
  });
});

/**
 * Issue 12's acceptance, end to end on one realistic Keycloak 26 export (test/fixtures): it imports
 * through the admin API; a group member's tokens carry group-derived roles, `groups`, a nested
 * attribute claim and the audience mapper's `aud`, the optional scope's claims only when asked;
 * export → import into a fresh data directory → export is identical, keys included, and a refresh
 * token issued before the move still refreshes after it (sessions live in Redis under a
 * throwaway prefix, shared by both servers, which also share one public hostname).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { exportRealm } from '../../src/admin/index.ts';
import { FIXTURE_CLIENT, FIXTURE_FILE, FIXTURE_OTP_SECRET, FIXTURE_PASSWORDS } from '../fixtures/generate-keycloak-realm.ts';
import { totp } from '../authn/login-browser.ts';
import { decodeJwt } from '../support/app.ts';
import { adminRequest, masterToken, startAdminServer, tokenFor, type AdminServer } from './admin-support.ts';
import { deleteRedisKeys } from '../support/redis-keys.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const REALM = 'shop';

describe('a realistic Keycloak 26 export, whole', () => {
  const sessions = { hostname: 'http://idp.test', sessions: 'redis' as const, sessionsUrl: REDIS_URL, sessionsKeyPrefix: `holdfast-acceptance:${randomBytes(6).toString('hex')}:` };
  const file = JSON.parse(fs.readFileSync(FIXTURE_FILE, 'utf8'));
  let server: AdminServer;

  const passwordGrant = (url: string, username: keyof typeof FIXTURE_PASSWORDS, scope: string, extra: Record<string, string> = {}) =>
    tokenFor(url, REALM, { grant_type: 'password', client_id: FIXTURE_CLIENT.clientId, client_secret: FIXTURE_CLIENT.secret, username, password: FIXTURE_PASSWORDS[username], scope, ...extra });
  // A used code is refused within its window (replay protection): each login takes the next period's code.
  let period = 0;
  const carol = (url: string, scope: string) => passwordGrant(url, 'carol', scope, { totp: totp(Buffer.from(FIXTURE_OTP_SECRET), Date.now() + 30_000 * period++) });
  const audiences = (claims: Record<string, any>): string[] => (Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud]);

  before(async () => {
    server = await startAdminServer(sessions);
    const created = await adminRequest(server.url, await masterToken(server.url), 'POST', '', file);
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });
  after(async () => {
    await server?.close();
    await deleteRedisKeys(REDIS_URL, sessions.sessionsKeyPrefix);
  });

  it("a group member's token carries the groups' roles, `groups`, and the audience mapper's `aud` when the scope is asked for", async () => {
    const response = await carol(server.url, 'openid shop');
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const access = decodeJwt(response.body.access_token);
    // /staff maps the realm role `support`, /staff/ops the client role `orders-write`.
    assert.ok(access.realm_access.roles.includes('support'), JSON.stringify(access.realm_access));
    assert.ok(access.resource_access['shop-backend'].roles.includes('orders-write'), JSON.stringify(access.resource_access));
    assert.deepEqual(access.groups, ['/staff/ops']);
    assert.ok(audiences(access).includes('shop-backend'), JSON.stringify(access.aud));
    assert.deepEqual(decodeJwt(response.body.id_token).groups, ['/staff/ops']);
    assert.match(response.body.scope, /\bshop\b/);
  });

  it('the optional scope’s claims appear only when requested; a nested claim name builds an object', async () => {
    const asked = decodeJwt((await passwordGrant(server.url, 'alice', 'openid shop')).body.access_token);
    assert.deepEqual(asked.shop, { loyalty: ['gold', 'early'] });
    const plain = await passwordGrant(server.url, 'alice', 'openid');
    assert.equal(plain.status, 200);
    const claims = decodeJwt(plain.body.access_token);
    assert.equal(claims.shop, undefined);
    assert.equal(claims.groups, undefined);
    assert.doesNotMatch(plain.body.scope, /\bshop\b/);
  });

  it('export → import into a fresh data directory → export is identical, keys included, and an earlier refresh token still refreshes', async () => {
    const issued = await carol(server.url, 'openid shop');
    assert.equal(issued.status, 200);
    const exported = await exportRealm(server.holdfast.ctx.realms.repository, REALM, { includeUsers: true });
    assert.ok(Object.keys((exported.components as Record<string, unknown[]>)['org.keycloak.keys.KeyProvider']).length > 0);

    const fresh = await startAdminServer(sessions);
    try {
      const created = await adminRequest(fresh.url, await masterToken(fresh.url), 'POST', '', exported);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const again = await exportRealm(fresh.holdfast.ctx.realms.repository, REALM, { includeUsers: true });
      assert.deepEqual(again, exported);

      const refreshed = await tokenFor(fresh.url, REALM, { grant_type: 'refresh_token', client_id: FIXTURE_CLIENT.clientId, client_secret: FIXTURE_CLIENT.secret, refresh_token: issued.body.refresh_token });
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      assert.deepEqual(decodeJwt(refreshed.body.access_token).groups, ['/staff/ops']);
    } finally {
      await fresh.close();
    }
  });
});

/**
 * PUT /admin/realms/{realm} judges session and token lifespans as Keycloak 26 does (checked
 * against a real Keycloak 26.7): a client session idle or max above the SSO session's is a 400 with
 * Keycloak's message, on the settings after the update; holdfast also refuses negative lifespans
 * (and a token that would live 0 s) when the update changes them, and names the field.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { adminRequest, startAdminRealm, type AdminServer } from './admin-support.ts';

const REALM = 'lifespans';

describe('admin API: realm lifespans are validated on update (sqlite)', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let token: string;
  const put = (body: unknown) => adminRequest(server.url, token, 'PUT', `/${REALM}`, body);

  before(async () => {
    ({ server, kc, token } = await startAdminRealm('sqlite', REALM));
  });
  after(async () => {
    await server.close();
  });

  it('refuses a client session idle above the SSO idle, also when only the SSO idle changes', async () => {
    const message = { errorMessage: 'Client Session Idle Timeout cannot be greater than Realm SSO Idle Timeout.', field: 'clientSessionIdleTimeout' };
    assert.deepEqual(await put({ ssoSessionIdleTimeout: 600, clientSessionIdleTimeout: 1200 }).then((r) => [r.status, r.body]), [400, message]);
    assert.equal((await put({ ssoSessionIdleTimeout: 1800, clientSessionIdleTimeout: 900 })).status, 204);
    assert.deepEqual(await put({ ssoSessionIdleTimeout: 300 }).then((r) => [r.status, r.body]), [400, message]);
    // Nothing of a refused update was stored.
    const realm = await kc.realms.findOne({ realm: REALM });
    assert.equal(realm?.ssoSessionIdleTimeout, 1800);
    assert.equal(realm?.clientSessionIdleTimeout, 900);
  });

  it('refuses a client session max above the SSO max', async () => {
    const response = await put({ ssoSessionMaxLifespan: 3600, clientSessionMaxLifespan: 7200 });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body, { errorMessage: 'Client session max lifespan cannot exceed realm SSO session max lifespan.', field: 'clientSessionMaxLifespan' });
  });

  it('refuses negative lifespans and zero-second tokens, naming the field', async () => {
    for (const [name, value] of [['ssoSessionIdleTimeoutRememberMe', -1], ['offlineSessionIdleTimeout', -5], ['refreshTokenMaxReuse', -1], ['accessTokenLifespan', 0], ['actionTokenGeneratedByUserLifespan', -10], ['accessCodeLifespanLogin', 2_147_483_648]] as const) {
      const response = await put({ [name]: value });
      assert.equal(response.status, 400, name);
      assert.equal(response.body.field, name);
      assert.match(response.body.errorMessage, new RegExp(`^${name} must be`));
    }
  });

  it('stores valid lifespans, and a GET body goes back unchanged', async () => {
    assert.equal((await put({ ssoSessionIdleTimeout: 2400, accessTokenLifespan: 120, revokeRefreshToken: true, refreshTokenMaxReuse: 2, offlineSessionMaxLifespanEnabled: true })).status, 204);
    const realm = await kc.realms.findOne({ realm: REALM });
    assert.deepEqual([realm?.ssoSessionIdleTimeout, realm?.accessTokenLifespan, realm?.revokeRefreshToken, realm?.refreshTokenMaxReuse], [2400, 120, true, 2]);
    assert.equal((await put(realm)).status, 204);
  });
});

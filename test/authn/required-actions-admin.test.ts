/**
 * `/authentication/required-actions` through the real @keycloak/keycloak-admin-client: Keycloak
 * 26's defaults on a new realm, update, priorities, delete and register again, default actions
 * given to new users, the permissions, and the realm file carrying the list.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { exportRealm } from '../../src/admin/index.ts';
import { adminClient, adminRequest, failure, masterToken, startAdminServer, userWithManagementRoles, type AdminServer } from '../admin/admin-support.ts';

/** What Keycloak 26.7 lists on a new realm, for the actions holdfast runs. */
const KEYCLOAK_DEFAULTS = [
  { alias: 'TERMS_AND_CONDITIONS', name: 'Terms and Conditions', providerId: 'TERMS_AND_CONDITIONS', enabled: false, defaultAction: false, priority: 20, config: {} },
  { alias: 'UPDATE_PROFILE', name: 'Update Profile', providerId: 'UPDATE_PROFILE', enabled: true, defaultAction: false, priority: 40, config: {} },
  { alias: 'VERIFY_EMAIL', name: 'Verify Email', providerId: 'VERIFY_EMAIL', enabled: true, defaultAction: false, priority: 50, config: {} },
  { alias: 'CONFIGURE_TOTP', name: 'Configure OTP', providerId: 'CONFIGURE_TOTP', enabled: true, defaultAction: false, priority: 54, config: {} },
  { alias: 'UPDATE_PASSWORD', name: 'Update Password', providerId: 'UPDATE_PASSWORD', enabled: true, defaultAction: false, priority: 57, config: {} },
  { alias: 'UPDATE_EMAIL', name: 'Update Email', providerId: 'UPDATE_EMAIL', enabled: false, defaultAction: false, priority: 70, config: {} },
];

describe('required actions admin API', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  before(async () => {
    server = await startAdminServer();
    kc = await adminClient(server.url, {}, 'demo');
  });
  after(() => server.close());
  const aliases = async () => (await kc.authenticationManagement.getRequiredActions()).map((a) => a.alias);

  it("lists Keycloak 26's defaults", async () => {
    assert.deepEqual(await kc.authenticationManagement.getRequiredActions(), KEYCLOAK_DEFAULTS);
    assert.deepEqual(await kc.authenticationManagement.getRequiredActionForAlias({ alias: 'CONFIGURE_TOTP' }), KEYCLOAK_DEFAULTS[3]);
    const missing = await adminRequest(server.url, await masterToken(server.url), 'GET', '/demo/authentication/required-actions/nope');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { error: 'Failed to find required action' });
  });

  it('updates an action, and gives default actions to users created afterwards', async () => {
    await kc.authenticationManagement.updateRequiredAction({ alias: 'CONFIGURE_TOTP' }, { ...KEYCLOAK_DEFAULTS[3], defaultAction: true });
    assert.equal((await kc.authenticationManagement.getRequiredActionForAlias({ alias: 'CONFIGURE_TOTP' })).defaultAction, true);
    const { id } = await kc.users.create({ username: 'newcomer', enabled: true });
    assert.deepEqual((await kc.users.findOne({ id }))!.requiredActions, ['CONFIGURE_TOTP']);
    const changed = await failure(kc.authenticationManagement.updateRequiredAction({ alias: 'CONFIGURE_TOTP' }, { providerId: 'UPDATE_PASSWORD' }));
    assert.equal(changed.status, 400);
    await kc.authenticationManagement.updateRequiredAction({ alias: 'CONFIGURE_TOTP' }, { defaultAction: false });
  });

  it('raises and lowers priorities', async () => {
    await kc.authenticationManagement.raiseRequiredActionPriority({ alias: 'UPDATE_PASSWORD' });
    assert.deepEqual((await aliases()).slice(3, 5), ['UPDATE_PASSWORD', 'CONFIGURE_TOTP']);
    await kc.authenticationManagement.lowerRequiredActionPriority({ alias: 'UPDATE_PASSWORD' });
    assert.deepEqual((await aliases()).slice(3, 5), ['CONFIGURE_TOTP', 'UPDATE_PASSWORD']);
    await kc.authenticationManagement.raiseRequiredActionPriority({ alias: 'TERMS_AND_CONDITIONS' });
    assert.equal((await aliases())[0], 'TERMS_AND_CONDITIONS');
  });

  it('deletes an action and registers its provider again', async () => {
    await kc.authenticationManagement.deleteRequiredAction({ alias: 'UPDATE_EMAIL' });
    assert.ok(!(await aliases()).includes('UPDATE_EMAIL'));
    assert.deepEqual(await kc.authenticationManagement.getUnregisteredRequiredActions(), [{ providerId: 'UPDATE_EMAIL', name: 'Update Email' }]);
    await kc.authenticationManagement.registerRequiredAction({ providerId: 'UPDATE_EMAIL', name: 'Update Email' });
    assert.deepEqual(await kc.authenticationManagement.getUnregisteredRequiredActions(), []);
    const registered = await kc.authenticationManagement.getRequiredActionForAlias({ alias: 'UPDATE_EMAIL' });
    assert.equal(registered.enabled, true);
    const unknown = await failure(kc.authenticationManagement.registerRequiredAction({ providerId: 'webauthn-register', name: 'x' }));
    assert.equal(unknown.status, 400);
    const twice = await failure(kc.authenticationManagement.registerRequiredAction({ providerId: 'UPDATE_EMAIL', name: 'x' }));
    assert.deepEqual([twice.status, twice.body], [409, { error: 'conflict', error_description: 'A Required Action Provider with given alias already exists.' }]);
  });

  it('needs view-realm to read and manage-realm to write', async () => {
    await userWithManagementRoles(server.url, 'demo', 'viewer', ['view-realm']);
    const viewer = await adminClient(server.url, { realm: 'demo', username: 'viewer', password: 'viewer-pw' });
    assert.ok((await viewer.authenticationManagement.getRequiredActions()).length > 0);
    const refused = await failure(viewer.authenticationManagement.deleteRequiredAction({ alias: 'VERIFY_EMAIL' }));
    assert.equal(refused.status, 403);
  });

  it('carries the list in realm files, and imports the ones Keycloak exports', async () => {
    const exported = (await exportRealm(server.holdfast.ctx.realms.repository, 'demo', { includeUsers: false })) as any;
    assert.deepEqual(exported.requiredActions.map((a: any) => a.alias), await aliases());
    const token = await masterToken(server.url);
    const file = {
      realm: 'from-keycloak',
      requiredActions: [
        { alias: 'CONFIGURE_TOTP', name: 'Configure OTP', providerId: 'CONFIGURE_TOTP', enabled: true, defaultAction: true, priority: 10, config: {} },
        { alias: 'webauthn-register', name: 'Webauthn Register', providerId: 'webauthn-register', enabled: true, defaultAction: false, priority: 80, config: {} },
      ],
    };
    assert.equal((await adminRequest(server.url, token, 'POST', '', file)).status, 201);
    const listed = (await adminRequest(server.url, token, 'GET', '/from-keycloak/authentication/required-actions')).body;
    assert.deepEqual(listed.map((a: any) => [a.alias, a.defaultAction]), [['CONFIGURE_TOTP', true], ['webauthn-register', false]]);
    const duplicate = await adminRequest(server.url, token, 'POST', '', { realm: 'dup', requiredActions: [file.requiredActions[0], file.requiredActions[0]] });
    assert.equal(duplicate.status, 409);
  });
});

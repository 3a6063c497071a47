/**
 * The credentials API of a user (issue #12.7) through @keycloak/keycloak-admin-client 26 against a
 * real listening holdfast: the list as Keycloak shows it (no secrets, priority order), labels
 * (text/plain, Keycloak's errors), reordering with moveToFirst / moveAfter, deleting, the empty
 * `configured-user-storage-credential-types`, and least privilege: a user manager cannot touch
 * the credentials of a user who holds admin roles they lack, a viewer can only look.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { adminClient, adminRequest, failure, masterToken, startAdminServer, tokenFor, userWithManagementRoles, type AdminServer } from './admin-support.ts';
import { totp } from '../authn/login-browser.ts';

const REALM = 'vault';
const OTP_DATA = JSON.stringify({ subType: 'totp', digits: 6, counter: 0, period: 30, algorithm: 'HmacSHA1' });

describe('admin API: user credentials', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let token: string;
  let userId: string;
  const ids = { password: '', phone: '', laptop: '' };
  const order = async () => (await kc.users.getCredentials({ id: userId })).map((c) => c.id);
  const raw = (method: string, path: string, body?: string, contentType = 'text/plain') =>
    fetch(`${server.url}/admin/realms/${REALM}/users/${userId}${path}`, { method, body, headers: { authorization: `Bearer ${token}`, 'content-type': contentType } });

  before(async () => {
    server = await startAdminServer();
    const master = await adminClient(server.url);
    await master.realms.create({ realm: REALM, enabled: true });
    kc = await adminClient(server.url, {}, REALM);
    token = await masterToken(server.url);
    await kc.clients.create({ clientId: 'app', secret: 'app-secret', directAccessGrantsEnabled: true });
    ({ id: userId } = await kc.users.create({ username: 'erin', enabled: true, credentials: [{ type: 'password', value: 'erin-pw', userLabel: 'main' }] }));
    ids.password = (await kc.users.getCredentials({ id: userId }))[0].id!;
    // Two one-time-code devices, as a realm import stores them (the admin API creates none):
    // erin is written again with them, in one transaction.
    ids.phone = 'cred-phone';
    ids.laptop = 'cred-laptop';
    const repository = server.holdfast.ctx.realms.repository;
    const realm = (await repository.findRealmByName(REALM))!;
    await repository.transaction(async (tx) => {
      const erin = (await tx.findUserById(userId))!;
      const credentials = [
        ...(await tx.listCredentials(userId)),
        { id: ids.phone, type: 'otp', userLabel: 'phone', createdDate: 1_700_000_000_000, secretData: JSON.stringify({ value: 'SECRETSEED' }), credentialData: OTP_DATA, priority: 20 },
        { id: ids.laptop, type: 'otp', createdDate: 1_700_000_001_000, secretData: JSON.stringify({ value: 'OTHERSEED' }), credentialData: OTP_DATA, priority: 30 },
      ];
      await tx.deleteUser(userId);
      await tx.createUsers([{ user: erin, roleIds: [realm.settings.attributes.defaultRoleId], credentials }]);
    });
  });
  after(() => server.close());

  it('lists credentials as Keycloak shows them: priority order, no secrets', async () => {
    const list = await kc.users.getCredentials({ id: userId });
    assert.deepEqual(list.map((c) => c.id), [ids.password, ids.phone, ids.laptop]);
    const [password, phone, laptop] = list;
    assert.deepEqual(Object.keys(password).sort(), ['createdDate', 'credentialData', 'id', 'type', 'userLabel']);
    assert.deepEqual([password.type, password.userLabel], ['password', 'main']);
    assert.equal(JSON.parse(password.credentialData!).algorithm, 'argon2');
    assert.deepEqual(phone, { id: ids.phone, type: 'otp', userLabel: 'phone', createdDate: 1_700_000_000_000, credentialData: OTP_DATA });
    assert.equal(laptop.userLabel, undefined);
    assert.ok(!JSON.stringify(list).includes('SEED'));
    assert.deepEqual(await kc.users.getUserStorageCredentialTypes({ id: userId }), []);
    const missing = await adminRequest(server.url, token, 'GET', `/${REALM}/users/nope/credentials`);
    assert.deepEqual([missing.status, missing.body], [404, { error: 'User not found' }]);
  });

  it('labels a credential from a text/plain body, with Keycloak’s errors', async () => {
    await kc.users.updateCredentialLabel({ id: userId, credentialId: ids.laptop }, 'Work laptop');
    assert.equal((await kc.users.getCredentials({ id: userId }))[2].userLabel, 'Work laptop');
    const empty = await raw('PUT', `/credentials/${ids.laptop}/userLabel`, '  ');
    assert.deepEqual([empty.status, await empty.json()], [400, { error: 'missingCredentialLabel', error_description: 'Credential label must not be empty' }]);
    const json = await raw('PUT', `/credentials/${ids.laptop}/userLabel`, '"x"', 'application/json');
    assert.deepEqual([json.status, await json.json()], [415, { error: 'The content-type header value did not match the value in @Consumes' }]);
    const long = await raw('PUT', `/credentials/${ids.laptop}/userLabel`, 'x'.repeat(256));
    assert.equal(long.status, 400);
    const unknown = await raw('PUT', '/credentials/nope/userLabel', 'x');
    assert.deepEqual([unknown.status, await unknown.json()], [404, { error: 'Credential not found' }]);
    assert.equal((await kc.users.getCredentials({ id: userId }))[2].userLabel, 'Work laptop');
  });

  it('reorders with moveToFirst and moveAfter, and the password still logs in', async () => {
    await kc.users.moveCredentialPositionUp({ id: userId, credentialId: ids.laptop });
    assert.deepEqual(await order(), [ids.laptop, ids.password, ids.phone]);
    await kc.users.moveCredentialPositionDown({ id: userId, credentialId: ids.laptop, newPreviousCredentialId: ids.phone });
    assert.deepEqual(await order(), [ids.password, ids.phone, ids.laptop]);
    await kc.users.moveCredentialPositionDown({ id: userId, credentialId: ids.password, newPreviousCredentialId: ids.phone });
    assert.deepEqual(await order(), [ids.phone, ids.password, ids.laptop]);
    assert.deepEqual((await failure(kc.users.moveCredentialPositionDown({ id: userId, credentialId: ids.phone, newPreviousCredentialId: 'nope' }))).body, { error: 'Credential not found' });
    assert.equal((await failure(kc.users.moveCredentialPositionDown({ id: userId, credentialId: ids.phone, newPreviousCredentialId: ids.phone }))).status, 400);
    assert.equal((await failure(kc.users.moveCredentialPositionUp({ id: userId, credentialId: 'nope' }))).status, 404);
    assert.deepEqual(await order(), [ids.phone, ids.password, ids.laptop]);
    const login = await tokenFor(server.url, REALM, { grant_type: 'password', client_id: 'app', client_secret: 'app-secret', username: 'erin', password: 'erin-pw', totp: totp(Buffer.from('SECRETSEED'), Date.now()) });
    assert.equal(login.status, 200);
  });

  it('deletes a credential', async () => {
    await kc.users.deleteCredential({ id: userId, credentialId: ids.laptop });
    assert.deepEqual(await order(), [ids.phone, ids.password]);
    assert.deepEqual((await failure(kc.users.deleteCredential({ id: userId, credentialId: ids.laptop }))).body, { error: 'Credential not found' });
  });

  it('needs manage-users and every admin role the user holds', async () => {
    await userWithManagementRoles(server.url, REALM, 'viewer', ['view-users']);
    await userWithManagementRoles(server.url, REALM, 'helpdesk', ['manage-users']);
    const bossId = await userWithManagementRoles(server.url, REALM, 'boss', ['realm-admin']);
    const viewer = await adminClient(server.url, { realm: REALM, username: 'viewer', password: 'viewer-pw' }, REALM);
    const helpdesk = await adminClient(server.url, { realm: REALM, username: 'helpdesk', password: 'helpdesk-pw' }, REALM);
    assert.equal((await viewer.users.getCredentials({ id: userId })).length, 2);
    assert.equal((await failure(viewer.users.deleteCredential({ id: userId, credentialId: ids.phone }))).status, 403);
    const bossPassword = (await kc.users.getCredentials({ id: bossId }))[0].id!;
    for (const call of [
      helpdesk.users.deleteCredential({ id: bossId, credentialId: bossPassword }),
      helpdesk.users.updateCredentialLabel({ id: bossId, credentialId: bossPassword }, 'mine now'),
      helpdesk.users.moveCredentialPositionUp({ id: bossId, credentialId: bossPassword }),
    ]) {
      assert.deepEqual(await failure(call).then((f) => [f.status, f.body]), [403, { error: 'HTTP 403 Forbidden' }]);
    }
    assert.equal((await kc.users.getCredentials({ id: bossId }))[0].userLabel, undefined);
    await helpdesk.users.deleteCredential({ id: userId, credentialId: ids.phone });
    assert.deepEqual(await order(), [ids.password]);
  });
});

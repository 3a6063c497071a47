/**
 * A group deleted by another request between the lookup and the write of a role mapping: the
 * write's foreign key refuses it, and the answer is Keycloak's 404, never a 500. The deletion goes
 * straight to the repository (no invalidation yet), which is the window another node's request
 * leaves open.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { form, testApp, type TestApp } from '../support/app.ts';

describe('admin API: role mappings racing a deletion', () => {
  let t: TestApp;
  let token: string;

  before(async () => {
    t = await testApp();
    const login = await t.app.inject({ method: 'POST', url: '/realms/master/protocol/openid-connect/token', ...form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }) });
    token = login.json().access_token;
  });
  after(() => t.close());

  const admin = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    t.app.inject({ method, url: `/admin/realms/demo${url}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: body === undefined ? undefined : JSON.stringify(body) });

  it('answers 404 "Could not find group by id" when the group is gone before the mapping is written', async () => {
    assert.equal((await admin('POST', '/groups', { name: 'doomed' })).statusCode, 201);
    const group = (await admin('GET', '/groups?search=doomed')).json()[0];
    const role = (await admin('GET', '/roles/offline_access')).json();
    await t.ctx.realms.repository.deleteGroups([group.id]);
    const mapped = await admin('POST', `/groups/${group.id}/role-mappings/realm`, [{ id: role.id, name: role.name }]);
    assert.deepEqual([mapped.statusCode, mapped.json()], [404, { error: 'Could not find group by id' }]);
  });
});

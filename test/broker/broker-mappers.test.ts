/**
 * Identity-provider mappers at a brokered login against a real upstream realm: the Username
 * Template Importer names the new user, Hardcoded Role grants a role, Hardcoded Attribute sets an
 * attribute, the Attribute Importer copies a nested claim (`org.dept`, put in the upstream's
 * tokens by a hardcoded-claim mapper); a mapper with syncMode FORCE updates on the next login,
 * one that inherits IMPORT does not.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { Browser, addBrokerMapper, addUpstreamClaim, brokeredLogin, redeem, setUpBrokerRealms, type BrokerRealms } from './broker-support.ts';

describe('identity-provider mappers at login', () => {
  let server: AdminServer;
  let realms: BrokerRealms;
  let setDept: (value: string) => Promise<void>;

  before(async () => {
    server = await startAdminServer();
    realms = await setUpBrokerRealms(server);
    setDept = await addUpstreamClaim(realms, 'org.dept', 'eng');
    await realms.brokeredAdmin.roles.create({ name: 'partner' });
    await addBrokerMapper(realms, 'username', 'oidc-username-idp-mapper', { template: '${ALIAS}.${CLAIM.preferred_username | uppercase}', target: 'LOCAL', syncMode: 'INHERIT' });
    await addBrokerMapper(realms, 'partner role', 'oidc-hardcoded-role-idp-mapper', { role: 'partner', syncMode: 'INHERIT' });
    await addBrokerMapper(realms, 'source', 'hardcoded-attribute-idp-mapper', { attribute: 'source', 'attribute.value': 'upstream', syncMode: 'INHERIT' });
    await addBrokerMapper(realms, 'dept', 'oidc-user-attribute-idp-mapper', { claim: 'org.dept', 'user.attribute': 'department', syncMode: 'FORCE' });
    await addBrokerMapper(realms, 'dept once', 'oidc-user-attribute-idp-mapper', { claim: 'org.dept', 'user.attribute': 'firstDepartment', syncMode: 'INHERIT' });
  });
  after(async () => {
    await server.close();
  });

  it('creates the user through the mappers and re-applies the FORCE ones on the next login', async () => {
    const first = await brokeredLogin(server, new Browser());
    assert.equal(first.response.status, 302, await first.response.clone().text());
    const tokens = await redeem(server.url, first.response.headers.get('location')!, first.verifier);
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString());
    assert.equal(claims.preferred_username, 'upstream.bob', 'the template named the user (usernames are lower case)');
    assert.ok(claims.realm_access.roles.includes('partner'));
    // Read from the store: the admin API shows only attributes the realm's user profile declares.
    const realmId = (await server.holdfast.ctx.realms.getRealm('brokered'))!.realm.id;
    const stored = async () => (await server.holdfast.ctx.realms.repository.findUserByUsername(realmId, 'upstream.bob'))!;
    let user = await stored();
    assert.deepEqual(user.attributes?.source, ['upstream']);
    assert.deepEqual(user.attributes?.department, ['eng']);
    assert.deepEqual(user.attributes?.firstDepartment, ['eng']);

    await setDept('sales');
    const second = await brokeredLogin(server, new Browser());
    assert.equal(second.response.status, 302);
    user = await stored();
    assert.deepEqual(user.attributes?.department, ['sales'], 'FORCE takes the new value');
    assert.deepEqual(user.attributes?.firstDepartment, ['eng'], 'INHERIT of IMPORT keeps the first one');
    assert.equal((await realms.brokeredAdmin.users.find({ search: 'bob' })).length, 1);
  });
});

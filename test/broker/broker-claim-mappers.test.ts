/**
 * The group and claim mappers at a brokered login against a real upstream realm (its tokens carry
 * `org.dept` from a hardcoded-claim mapper): Hardcoded Group joins a group, Advanced Claim to Role
 * and Claim to Role grant when the claims match, Advanced Claim to Group with regular expressions
 * joins; with syncMode FORCE a later login whose claims changed takes the role and group away
 * and grants the ones that now match, and keeps the hardcoded group.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { Browser, addBrokerMapper, addUpstreamClaim, brokeredLogin, setUpBrokerRealms, type BrokerRealms } from './broker-support.ts';

describe('group and claim mappers at login', () => {
  let server: AdminServer;
  let realms: BrokerRealms;
  let setDept: (value: string) => Promise<void>;

  before(async () => {
    server = await startAdminServer();
    realms = await setUpBrokerRealms(server);
    setDept = await addUpstreamClaim(realms, 'org.dept', 'eng');
    for (const name of ['engineer', 'seller']) await realms.brokeredAdmin.roles.create({ name });
    for (const name of ['partners', 'eng']) await realms.brokeredAdmin.groups.create({ name });
    await addBrokerMapper(realms, 'partners', 'oidc-hardcoded-group-idp-mapper', { group: '/partners', syncMode: 'INHERIT' });
    await addBrokerMapper(realms, 'engineer', 'oidc-advanced-role-idp-mapper', { claims: JSON.stringify([{ key: 'org.dept', value: 'eng' }]), 'are.claim.values.regex': 'false', role: 'engineer', syncMode: 'FORCE' });
    await addBrokerMapper(realms, 'seller', 'oidc-role-idp-mapper', { claim: 'org.dept', 'claim.value': 'sales', role: 'seller', syncMode: 'FORCE' });
    await addBrokerMapper(realms, 'eng group', 'oidc-advanced-group-idp-mapper', { claims: JSON.stringify([{ key: 'org.dept', value: 'e.*' }]), 'are.claim.values.regex': 'true', group: '/eng', syncMode: 'FORCE' });
  });
  after(async () => {
    await server.close();
  });

  async function membership(): Promise<{ roles: string[]; groups: string[] }> {
    const id = (await realms.brokeredAdmin.users.find({ username: 'bob', exact: true }))[0].id!;
    const roles = (await realms.brokeredAdmin.users.listRealmRoleMappings({ id })).map((r) => r.name!).filter((n) => n === 'engineer' || n === 'seller').sort();
    const groups = (await realms.brokeredAdmin.users.listGroups({ id })).map((g) => g.path!).sort();
    return { roles, groups };
  }

  it('grants on the first login what matches, and re-judges the FORCE mappers on the next', async () => {
    const first = await brokeredLogin(server, new Browser());
    assert.equal(first.response.status, 302, await first.response.clone().text());
    assert.deepEqual(await membership(), { roles: ['engineer'], groups: ['/eng', '/partners'] });

    await setDept('sales');
    const second = await brokeredLogin(server, new Browser());
    assert.equal(second.response.status, 302);
    assert.deepEqual(await membership(), { roles: ['seller'], groups: ['/partners'] });
  });
});

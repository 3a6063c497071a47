/**
 * Admin user search (issue #12.6) through @keycloak/keycloak-admin-client 26, with the answers a
 * real Keycloak 26.7 gave for the same users: `search` terms are case-insensitive prefixes that
 * must all match (`*` a wildcard, `"…"` a whole value, `id:` one user), per-field filters are
 * infix unless `exact`, `q` matches attribute values whole and case-insensitively, `enabled`,
 * `emailVerified`, `idpAlias` (nobody linked here: nobody), brief representations, paging,
 * and `count` with the same filters. Filters Keycloak would ignore are refused with 400. On
 * SQLite and on PostgreSQL (a throwaway database).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { UnmanagedAttributePolicy, type UserProfileConfig } from '@keycloak/keycloak-admin-client/lib/defs/userProfileMetadata.js';
import { adminRequest, type AdminServer, startAdminRealm } from './admin-support.ts';

const REALM = 'directory';

for (const dialect of ['sqlite', 'postgres'] as const) describe(`admin API: user search (${dialect})`, () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let token: string;
  let aliceId: string;
  const names = (users: Array<{ username?: string }>) => users.map((u) => u.username);
  const find = async (query: Record<string, unknown>) => names(await kc.users.find(query as never));
  const raw = (query: string) => adminRequest(server.url, token, 'GET', `/${REALM}/users${query}`);

  before(async () => {
    ({ server, kc, token } = await startAdminRealm(dialect, REALM));
    const profile = await kc.users.getProfile();
    await kc.users.updateProfile({ ...profile, unmanagedAttributePolicy: UnmanagedAttributePolicy.Enabled } as UserProfileConfig);
    ({ id: aliceId } = await kc.users.create({ username: 'alice', email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell', enabled: true, attributes: { dept: ['x'] } }));
    await kc.users.create({
      username: 'bobby.tables',
      email: 'bob@corp.io',
      firstName: 'Robert',
      lastName: 'Tables',
      enabled: false,
      emailVerified: true,
      attributes: { dept: ['eng'], city: ['Paris', 'Lyon'] },
    });
    await kc.users.create({ username: 'carol_x', email: 'carol@example.com', firstName: 'Carol', lastName: 'Bobson', enabled: true, attributes: { dept: ['eng sales'], note: ['100%'] } });
    await kc.users.create({ username: 'dave', email: 'dave@x.io', enabled: true });
    // A service account is no user to search for.
    await kc.clients.create({ clientId: 'robot', serviceAccountsEnabled: true, publicClient: false });
  });
  after(async () => {
    await server.close();
  });

  it("searches as Keycloak does: prefixes, wildcards, quotes, several terms, id", async () => {
    assert.deepEqual(await find({ search: 'bob' }), ['bobby.tables', 'carol_x']);
    assert.deepEqual(await find({ search: 'ob' }), []);
    assert.deepEqual(await find({ search: 'OB*' }), []);
    assert.deepEqual(await find({ search: '*ob' }), ['bobby.tables', 'carol_x']);
    assert.deepEqual(await find({ search: 'b*s' }), ['bobby.tables', 'carol_x']);
    assert.deepEqual(await find({ search: '"bob"' }), []);
    assert.deepEqual(await find({ search: '"bobby.tables"' }), ['bobby.tables']);
    assert.deepEqual(await find({ search: '"ROBERT"' }), ['bobby.tables']);
    assert.deepEqual(await find({ search: 'example.com' }), []);
    assert.deepEqual(await find({ search: '*example.com' }), ['alice', 'carol_x']);
    assert.deepEqual(await find({ search: 'Alice Lid' }), ['alice']);
    assert.deepEqual(await find({ search: 'alice tables' }), []);
    assert.deepEqual(await find({ search: '*' }), ['alice', 'bobby.tables', 'carol_x', 'dave']);
    // LIKE's own wildcards are literal.
    assert.deepEqual(await find({ search: '%' }), []);
    assert.deepEqual(await find({ search: '_' }), []);
    assert.deepEqual(await find({ search: 'carol_' }), ['carol_x']);
    assert.deepEqual(await find({ search: 'bob', enabled: false }), ['bobby.tables']);
    assert.deepEqual(await find({ search: 'bob', exact: false }), ['bobby.tables', 'carol_x']);
    assert.deepEqual(await find({ search: `id:${aliceId}` }), ['alice']);
    assert.deepEqual(await find({ search: 'id:nope' }), []);
  });

  it('filters by field (infix unless exact), enabled, emailVerified and attributes', async () => {
    assert.deepEqual(await find({ username: 'ob' }), ['bobby.tables']);
    assert.deepEqual(await find({ username: 'bob', exact: true }), []);
    assert.deepEqual(await find({ username: 'BOBBY.TABLES', exact: true }), ['bobby.tables']);
    assert.deepEqual(await find({ email: 'corp' }), ['bobby.tables']);
    assert.deepEqual(await find({ firstName: 'rob' }), ['bobby.tables']);
    assert.deepEqual(await find({ lastName: 'bob' }), ['carol_x']);
    assert.deepEqual(await find({ email: 'example', firstName: 'car' }), ['carol_x']);
    assert.deepEqual(await find({ enabled: false }), ['bobby.tables']);
    assert.deepEqual(await find({ emailVerified: true }), ['bobby.tables']);
    assert.deepEqual(await find({ emailVerified: false, enabled: true }), ['alice', 'carol_x', 'dave']);
    assert.deepEqual(await find({ q: 'dept:eng' }), ['bobby.tables']);
    assert.deepEqual(await find({ q: 'dept:ENG' }), ['bobby.tables']);
    assert.deepEqual(await find({ q: 'DEPT:eng' }), []);
    assert.deepEqual(await find({ q: 'dept:en' }), []);
    assert.deepEqual(await find({ q: 'city:Lyon dept:eng' }), ['bobby.tables']);
    assert.deepEqual(await find({ q: 'city:Lyon dept:x' }), []);
    assert.deepEqual(await find({ q: 'dept:"eng sales"' }), ['carol_x']);
    assert.deepEqual(await find({ q: 'note:100%' }), ['carol_x']);
    assert.deepEqual(await find({ q: 'dept:eng', username: 'bob' }), ['bobby.tables']);
    assert.deepEqual(await find({ q: 'dept:eng', exact: true }), ['bobby.tables']);
    assert.deepEqual(await find({ idpAlias: 'google' }), []);
    assert.deepEqual(await find({ idpAlias: 'google', idpUserId: '1' }), []);
  });

  it('keeps the index in step with attribute changes', async () => {
    await kc.users.update({ id: aliceId }, { attributes: { dept: ['ops'] } });
    assert.deepEqual(await find({ q: 'dept:x' }), []);
    assert.deepEqual(await find({ q: 'dept:ops' }), ['alice']);
    await kc.users.update({ id: aliceId }, { attributes: { dept: ['x'] } });
    assert.deepEqual(await find({ q: 'dept:x' }), ['alice']);
  });

  it('pages, answers brief representations, and counts with the same filters', async () => {
    assert.deepEqual(await find({ max: 2 }), ['alice', 'bobby.tables']);
    assert.deepEqual(await find({ first: 1, max: 2 }), ['bobby.tables', 'carol_x']);
    assert.deepEqual(await find({ search: '*', first: 3 }), ['dave']);
    const [brief] = await kc.users.find({ username: 'alice', exact: true, briefRepresentation: true });
    assert.deepEqual(Object.keys(brief).sort(), ['createdTimestamp', 'email', 'emailVerified', 'enabled', 'firstName', 'id', 'lastName', 'username']);
    const [full] = await kc.users.find({ username: 'alice', exact: true });
    assert.deepEqual(full.attributes, { dept: ['x'] });

    assert.equal(await kc.users.count(), 4);
    assert.equal(await kc.users.count({ search: 'bob' }), 2);
    assert.equal(await kc.users.count({ username: 'bobby' }), 1);
    assert.equal(await kc.users.count({ username: 'bob', exact: true } as never), 0);
    assert.equal(await kc.users.count({ q: 'dept:eng' } as never), 1);
    assert.equal(await kc.users.count({ emailVerified: true } as never), 1);
    assert.equal(await kc.users.count({ enabled: false } as never), 1);
    assert.equal(await kc.users.count({ idpAlias: 'google' } as never), 0);
    assert.equal((await raw(`/count?search=id:${aliceId}`)).body, 1);
  });

  it('refuses what Keycloak would ignore, instead of answering more users than asked for', async () => {
    const cases: Array<[string, string]> = [
      ['?foo=bar', 'foo'],
      ['/count?briefRepresentation=true', 'briefRepresentation'],
      ['?search=bob&username=carol', 'username'],
      ['?search=bob&q=dept:eng', 'q'],
      ['?search=bob&emailVerified=true', 'emailVerified'],
      ['?search=bob&exact=true', 'exact'],
      ['?exact=true', 'exact'],
      ['?q=dept', 'q'],
      ['?q=dept:eng%20sales', 'q'],
      [`?search=id:${aliceId}&enabled=true`, 'enabled'],
      ['?enabled=maybe', 'enabled'],
      ['?first=x', 'first'],
      ['?username=a&username=b', 'username'],
      [`?q=${'k'.repeat(256)}:v`, 'q'],
    ];
    for (const [query, field] of cases) {
      const response = await raw(query);
      assert.deepEqual([response.status, response.body.field], [400, field], query);
    }
  });
});

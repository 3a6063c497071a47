/**
 * The clients list's session counts through the admin API (issue #15.4): `session-count`,
 * `offline-session-count` and `client-session-stats` follow logins, offline revocation, user
 * deletion, client deletion, logout-all and realm deletion, on SQLite, PostgreSQL and with
 * sessions in Redis. They are answered from kept counts (the store suites check those against
 * a real count); here the admin operations are the ones that must keep them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { Redis } from 'ioredis';
import { adminClient, startAdminServer, startAdminServerOn, tokenFor, type AdminServer } from './admin-support.ts';
import { deleteKeysWithPrefix } from '../support/redis-keys.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';

const setups: Array<[string, () => Promise<{ server: AdminServer; dispose(): Promise<void> }>]> = [
  ['SQLite', async () => ({ server: await startAdminServerOn('sqlite'), dispose: async () => {} })],
  ['PostgreSQL', async () => ({ server: await startAdminServerOn('postgres'), dispose: async () => {} })],
  [
    'Redis sessions',
    async () => {
      const sessionsKeyPrefix = `holdfast-counts-test:${randomBytes(6).toString('hex')}:`;
      const server = await startAdminServer({ sessions: 'redis', sessionsUrl: REDIS_URL, sessionsKeyPrefix });
      return {
        server,
        async dispose() {
          const admin = new Redis(REDIS_URL);
          await deleteKeysWithPrefix(admin, sessionsKeyPrefix);
          await admin.quit();
        },
      };
    },
  ],
];

for (const [name, setup] of setups) {
  describe(`admin API: per-client session counts (${name})`, () => {
    let server: AdminServer;
    let dispose: () => Promise<void>;
    let kc: KcAdminClient;
    const clients: Record<string, string> = {};
    const users: Record<string, string> = {};
    let realmId: string;

    const login = async (username: string, clientId: string, scope = 'openid') => {
      const answer = await tokenFor(server.url, 'acme', { grant_type: 'password', client_id: clientId, client_secret: `${clientId}-secret`, username, password: `${username}-password`, scope });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    };
    const counts = async (clientId: string) => [(await kc.clients.getSessionCount({ id: clients[clientId] })).count, (await kc.clients.getOfflineSessionCount({ id: clients[clientId] })).count];
    const stats = async () => {
      const answer = await kc.realms.getClientSessionStats({ realm: 'acme' });
      // Keycloak's shape: id, clientId and the two counts as strings.
      for (const s of answer) assert.deepEqual(Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v])), { id: 'string', clientId: 'string', active: 'string', offline: 'string' });
      return answer.map((s) => `${s.clientId} ${s.active}/${s.offline}`).sort();
    };

    before(async () => {
      ({ server, dispose } = await setup());
      const master = await adminClient(server.url);
      await master.realms.create({ realm: 'acme', enabled: true });
      realmId = (await master.realms.findOne({ realm: 'acme' }))!.id!;
      kc = await adminClient(server.url, {}, 'acme');
      for (const clientId of ['portal', 'shop']) {
        ({ id: clients[clientId] } = await kc.clients.create({ clientId, secret: `${clientId}-secret`, directAccessGrantsEnabled: true, redirectUris: [`https://${clientId}.example/*`] }));
      }
      for (const username of ['pat', 'robin']) {
        ({ id: users[username] } = await kc.users.create({ username, enabled: true }));
        await kc.users.resetPassword({ id: users[username], credential: { type: 'password', value: `${username}-password`, temporary: false } });
      }
    });
    after(async () => {
      await server.close();
      await dispose();
    });

    it('counts logins per client and kind, and follows offline revocation, user deletion and client deletion', async () => {
      await login('pat', 'portal');
      await login('pat', 'portal');
      await login('robin', 'portal', 'openid offline_access');
      await login('robin', 'shop');
      await login('pat', 'shop', 'openid offline_access');
      assert.deepEqual([await counts('portal'), await counts('shop')], [
        [2, 1],
        [1, 1],
      ]);
      assert.deepEqual(await stats(), ['portal 2/1', 'shop 1/1']);

      await kc.users.revokeConsent({ id: users.robin, clientId: 'portal' });
      assert.deepEqual(await counts('portal'), [2, 0]);
      await kc.users.del({ id: users.pat });
      assert.deepEqual([await counts('portal'), await counts('shop')], [
        [0, 0],
        [1, 0],
      ]);
      assert.deepEqual(await stats(), ['shop 1/0']);

      await kc.clients.del({ id: clients.shop });
      assert.deepEqual(await stats(), []);
      assert.equal(await server.holdfast.ctx.store.countUserSessionsOfClient(realmId, clients.shop, false), 0, 'a deleted client leaves no count behind');
    });

    it('follows logout-all and realm deletion', async () => {
      await login('robin', 'portal');
      await login('robin', 'portal', 'openid offline_access');
      assert.deepEqual(await counts('portal'), [1, 1]);
      await kc.realms.logoutAll({ realm: 'acme' });
      assert.deepEqual(await counts('portal'), [0, 1]);

      await login('robin', 'portal');
      await kc.realms.del({ realm: 'acme' });
      const store = server.holdfast.ctx.store;
      for (const offline of [false, true]) {
        assert.equal(await store.countUserSessionsOfClient(realmId, clients.portal, offline), 0, `a deleted realm leaves no count behind (offline ${offline})`);
        assert.equal(await store.countUserSessionsOfRealm(realmId, offline), 0);
      }
    });
  });
}

/**
 * The kept session counts, on every backend (SQLite, PostgreSQL, Redis, memory): a client's
 * number of sessions per kind (`session-count`, `offline-session-count`, `client-session-stats`)
 * and a realm's, through every way sessions come and go — login, a client joining a session or
 * being replaced in it, a client leaving it (client deletion, offline revocation), logout, a
 * user's logout (user deletion), the sweeper — alone, concurrently, and after a random mix of all
 * of them, compared with a real count of what the store holds; and every client's counts of a
 * realm in one call (`countUserSessionsPerClient`, what `client-session-stats` asks).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionStore, UserSession } from '../../src/session/index.ts';
import { sessionStoreBackends } from '../support/session-store-backends.ts';
import { clientSession, drainExpired, nowSeconds, uid, userSession } from '../support/session-fixtures.ts';
import { seededRandom } from '../support/acknowledged.ts';

/** What the store holds of a realm, counted by reading every session (the listing reads the sessions themselves). */
async function realCounts(store: SessionStore, realmId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const add = (k: string): void => void counts.set(k, (counts.get(k) ?? 0) + 1);
  for (const offline of [false, true]) {
    // Bounded: a realm of these tests holds a few hundred sessions.
    for (let first = 0; first < 100_000; first += 200) {
      const page = await store.listUserSessionsOfRealm(realmId, { offline, first, max: 200 });
      for (const s of page) {
        add(`realm/${offline}`);
        for (const clientUuid of s.clientSessions.keys()) add(`${clientUuid}/${offline}`);
      }
      if (page.length < 200) break;
    }
  }
  return counts;
}

/** The same figures from the kept counts. */
async function keptCounts(store: SessionStore, realmId: string, clients: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const offline of [false, true]) {
    const realm = await store.countUserSessionsOfRealm(realmId, offline);
    if (realm !== 0) counts.set(`realm/${offline}`, realm);
    for (const clientUuid of clients) {
      const n = await store.countUserSessionsOfClient(realmId, clientUuid, offline);
      if (n !== 0) counts.set(`${clientUuid}/${offline}`, n);
    }
  }
  return counts;
}

/** The per-client figures from the one call `client-session-stats` makes, keyed as above. */
async function perClientCounts(store: SessionStore, realmId: string, clients: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const [clientUuid, { online, offline }] of await store.countUserSessionsPerClient(realmId, clients)) {
    assert.ok(online > 0 || offline > 0, `${clientUuid}: a client without sessions is left out`);
    if (online !== 0) counts.set(`${clientUuid}/false`, online);
    if (offline !== 0) counts.set(`${clientUuid}/true`, offline);
  }
  return counts;
}

/** The real counts without the realm's own figures. */
const ofClients = (counts: Map<string, number>): Map<string, number> => new Map([...counts].filter(([key]) => !key.startsWith('realm/')));

const sorted = (counts: Map<string, number>): Array<[string, number]> => [...counts].sort(([a], [b]) => (a < b ? -1 : 1));

const backends = await sessionStoreBackends();

for (const backend of backends) {
  const skip = backend.unavailable !== undefined && !process.env.CI ? `skipped: ${backend.unavailable}` : false;

  describe(`kept session counts: ${backend.name}`, { skip }, () => {
    let store: SessionStore;

    before(async () => {
      if (backend.unavailable) throw new Error(`${backend.name} must run under CI: ${backend.unavailable}`);
      store = await backend.open();
    });
    after(() => backend.dispose());

    it('counts per client through login, a client joining or replaced, a client leaving, logout, a user\'s logout and the sweeper', async () => {
      const now = nowSeconds();
      await drainExpired(store, now, 1000);
      const realmId = uid('realm');
      const [web, app] = [uid('client-web'), uid('client-app')];
      const count = (clientUuid: string, offline = false) => store.countUserSessionsOfClient(realmId, clientUuid, offline);
      const userId = uid('user');
      const both = userSession({ realmId, userId, clients: [clientSession(web), clientSession(app)] });
      const webOnly = userSession({ realmId, userId, clients: [clientSession(web)] });
      const bare = userSession({ realmId });
      const offline = userSession({ realmId, offline: true, clients: [clientSession(app)] });
      const lapsed = userSession({ realmId, expiresAt: now - 60, clients: [clientSession(web)] });
      for (const s of [both, webOnly, bare, offline, lapsed]) await store.createUserSession(s);
      assert.deepEqual([await count(web), await count(app), await count(app, true), await count(web, true)], [3, 1, 1, 0]);

      // A client joins a session; joining again (a new login to it) replaces it and counts once.
      assert.equal(await store.putClientSession(bare.id, false, clientSession(app), now + 3600), true);
      assert.equal(await store.putClientSession(bare.id, false, clientSession(app, { scope: 'openid email' }), now + 3600), true);
      assert.equal(await store.putClientSession(uid('gone'), false, clientSession(app), now + 3600), false);
      assert.equal(await count(app), 2);

      // A client leaves a session (client deletion, revoked consent); leaving twice counts once.
      assert.equal(await store.removeClientSession(both.id, false, app), true);
      assert.equal(await store.removeClientSession(both.id, false, app), false);
      assert.equal(await store.removeClientSession(offline.id, true, app), true);
      assert.deepEqual([await count(web), await count(app), await count(app, true)], [3, 1, 0]);

      // The sweeper takes the lapsed session's client off the count.
      await drainExpired(store, now, 1);
      assert.equal(await count(web), 2);
      // Logout, and a user's logout.
      assert.equal(await store.deleteUserSession(bare.id, false), true);
      assert.equal(await store.deleteUserSession(bare.id, false), false);
      assert.equal(await count(app), 0);
      await store.deleteUserSessionsOfUser(realmId, userId, false);
      assert.deepEqual([await count(web), await count(app)], [0, 0]);
      assert.equal(await store.countUserSessionsOfRealm(realmId, false), 0);
      assert.equal(await store.countUserSessionsOfRealm(realmId, true), 1);
      assert.equal(await store.countUserSessionsOfClient(uid('other-realm'), web, false), 0);
    });

    it('counts per client exactly under 60 concurrent logins, clients joining and leaving, and logouts', async () => {
      const realmId = uid('realm');
      const [web, app] = [uid('client-web'), uid('client-app')];
      const sessions = Array.from({ length: 60 }, () => userSession({ realmId, clients: [clientSession(web)] }));
      await Promise.all(sessions.map((s) => store.createUserSession(s)));
      const t = nowSeconds() + 3600;
      await Promise.all([
        ...sessions.slice(0, 40).map((s) => store.putClientSession(s.id, false, clientSession(app), t)),
        // The same client joining twice at once still counts once.
        ...sessions.slice(0, 10).map((s) => store.putClientSession(s.id, false, clientSession(app), t)),
        ...sessions.slice(40, 50).map((s) => store.deleteUserSession(s.id, false)),
        ...sessions.slice(50, 60).map((s) => store.removeClientSession(s.id, false, web)),
      ]);
      await Promise.all([...sessions.slice(0, 5).map((s) => store.deleteUserSession(s.id, false)), ...sessions.slice(5, 15).map((s) => store.removeClientSession(s.id, false, app))]);
      assert.deepEqual([await store.countUserSessionsOfClient(realmId, web, false), await store.countUserSessionsOfClient(realmId, app, false)], [35, 25]);
      const real = await realCounts(store, realmId);
      assert.deepEqual(sorted(await keptCounts(store, realmId, [web, app])), sorted(real));
      assert.deepEqual(sorted(await perClientCounts(store, realmId, [web, app])), sorted(ofClients(real)));
    });

    it('answers every named client\'s online and offline counts of a realm in one call, leaving out clients without sessions', async () => {
      const realmId = uid('realm');
      const [web, app, cli, idle] = [uid('client-web'), uid('client-app'), uid('client-cli'), uid('client-idle')];
      const other = uid('other-realm');
      const sessions = [
        userSession({ realmId, clients: [clientSession(web), clientSession(app)] }),
        userSession({ realmId, clients: [clientSession(web)] }),
        userSession({ realmId, offline: true, clients: [clientSession(app)] }),
        userSession({ realmId, offline: true, clients: [clientSession(cli)] }),
        // The same client uuid in another realm is not counted in this one.
        userSession({ realmId: other, clients: [clientSession(web), clientSession(idle)] }),
      ];
      for (const s of sessions) await store.createUserSession(s);
      /** The answer's entries in client order (the order of the map is not part of the contract). */
      const answer = async (ofRealm: string, clients: string[]) => [...(await store.countUserSessionsPerClient(ofRealm, clients))].sort(([a], [b]) => (a < b ? -1 : 1));
      const inOrder = (...entries: Array<[string, { online: number; offline: number }]>) => entries.sort(([a], [b]) => (a < b ? -1 : 1));
      assert.deepEqual(await answer(realmId, [web, app, cli, idle, uid('unknown')]), inOrder([web, { online: 2, offline: 0 }], [app, { online: 1, offline: 1 }], [cli, { online: 0, offline: 1 }]));
      // Only the named clients are answered; none named, none answered.
      assert.deepEqual(await answer(realmId, [app]), [[app, { online: 1, offline: 1 }]]);
      assert.deepEqual(await answer(realmId, []), []);
      // A client whose sessions all ended is left out again.
      assert.equal(await store.removeClientSession(sessions[3].id, true, cli), true);
      assert.deepEqual(await answer(realmId, [cli]), []);
      assert.deepEqual(await answer(other, [web, idle]), inOrder([web, { online: 1, offline: 0 }], [idle, { online: 1, offline: 0 }]));
    });

    it('the kept counts equal a real count of the sessions after a random mix of every operation', async () => {
      const seed = Number(process.env.COUNTS_SEED ?? Date.now() % 100_000);
      const next = seededRandom(seed);
      const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
      const realmId = uid('realm');
      const clients = Array.from({ length: 4 }, (_, i) => uid(`client-${i}`));
      const users = Array.from({ length: 8 }, (_, i) => uid(`user-${i}`));
      const live: UserSession[] = [];
      /** A live session of the user, if they have one. */
      const sessionOf = (userId: string, withClients = false): UserSession | undefined => {
        const candidates = live.filter((s) => s.userId === userId && (!withClients || s.clientSessions.size > 0));
        return candidates.length === 0 ? undefined : pick(candidates);
      };
      const operations: Record<string, (userId: string) => Promise<unknown>> = {
        login: (userId) => {
          const now = nowSeconds();
          const chosen = clients.filter(() => next() < 0.4);
          const s = userSession({ realmId, userId, offline: next() < 0.25, expiresAt: next() < 0.15 ? now - 30 : now + 3600, clients: chosen.map((c) => clientSession(c)) });
          live.push(s);
          return store.createUserSession(s);
        },
        join: async (userId) => {
          const s = sessionOf(userId);
          return s && store.putClientSession(s.id, s.offline, clientSession(pick(clients)), nowSeconds() + 3600);
        },
        // A client already in the session joins again (a new login to it): replaced, counted once.
        rejoin: async (userId) => {
          const s = sessionOf(userId, true);
          return s && store.putClientSession(s.id, s.offline, clientSession(pick([...s.clientSessions.keys()]), { scope: 'openid email' }), nowSeconds() + 3600);
        },
        leave: async (userId) => {
          const s = sessionOf(userId);
          return s && store.removeClientSession(s.id, s.offline, pick(clients));
        },
        logout: async (userId) => {
          const s = sessionOf(userId);
          return s && store.deleteUserSession(s.id, s.offline);
        },
        userLogout: (userId) => store.deleteUserSessionsOfUser(realmId, userId, next() < 0.25),
        sweep: () => store.removeExpired(nowSeconds(), 5),
        touch: async (userId) => {
          const s = sessionOf(userId);
          return s && store.touch([{ userSessionId: s.id, offline: s.offline, lastRefresh: nowSeconds(), expiresAt: nowSeconds() + 3600, clientUuid: pick(clients), clientTimestamp: nowSeconds() }]);
        },
      };
      const weighted = ['login', 'login', 'login', 'login', 'join', 'join', 'rejoin', 'leave', 'leave', 'logout', 'userLogout', 'sweep', 'touch'];
      const tally = new Map<string, number>();
      // Rounds of operations at once, so writers race on the same counts as a busy node's do. On
      // SQL and memory they race on the same sessions too. Redis writes a session's client index
      // after its script (README: how exact the counts are), so two writers racing on one session
      // can leave an entry counted that is gone: there each operation of a round has a user, and
      // so sessions, of its own.
      const sameSessionRaces = backend.name !== 'redis';
      for (let round = 0; round < 40; round += 1) {
        const batch = Array.from({ length: users.length }, (_, i) => ({ name: pick(weighted), userId: sameSessionRaces ? pick(users) : users[i] }));
        for (const { name } of batch) tally.set(name, (tally.get(name) ?? 0) + 1);
        const outcomes = await Promise.allSettled(batch.map(({ name, userId }) => operations[name](userId)));
        const failed = outcomes.find((o) => o.status === 'rejected');
        if (failed) assert.fail(`seed ${seed}: ${(failed as PromiseRejectedResult).reason}`);
      }
      // Lapsed sessions count until the sweeper removes them (on Redis their TTL may already have).
      await drainExpired(store, nowSeconds(), 1000);
      const real = await realCounts(store, realmId);
      assert.ok((real.get('realm/false') ?? 0) > 0, `seed ${seed}: the mix left sessions to count`);
      assert.deepEqual(sorted(await keptCounts(store, realmId, clients)), sorted(real), `seed ${seed}, operations ${JSON.stringify(Object.fromEntries(tally))}`);
      assert.deepEqual(sorted(await perClientCounts(store, realmId, clients)), sorted(ofClients(real)), `seed ${seed}: countUserSessionsPerClient`);
    });
  });
}

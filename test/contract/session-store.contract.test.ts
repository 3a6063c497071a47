/**
 * The SessionStore contract, one suite run against every backend (SQLite, PostgreSQL, Redis,
 * memory), so that the session service can rely on the same semantics whichever is configured:
 * cascades, forward-only touch, list and count queries, single-use codes and refresh-token
 * rotation under real concurrency, login-attempt claims that serialise password checks across
 * nodes, bounded expiry. A backend whose server is unreachable is
 * skipped with the reason; under CI (env `CI` set) it fails instead, so it cannot go silently untested.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { systemClock } from '../../src/clock/index.ts';
import { ATTEMPT_BUSY, LoginAttempts, type AuthSession, type AuthorizationCode, type ClientSession, type RefreshTokenUse, type SessionStore, type UserSession } from '../../src/session/index.ts';
import { sessionStoreBackends } from '../support/session-store-backends.ts';
import { clientSession, drainExpired, nowSeconds, uid, userSession } from '../support/session-fixtures.ts';

function authorizationCode(userSessionId: string, expiresAt = nowSeconds() + 60): AuthorizationCode {
  return {
    codeHash: crypto.randomBytes(32).toString('base64url'),
    realmId: 'realm-contract',
    clientUuid: 'client-a',
    userSessionId,
    redirectUri: 'https://app.example/cb',
    scope: 'openid',
    nonce: 'n-1',
    authTime: nowSeconds(),
    acr: '1',
    expiresAt,
  };
}

/** A refresh-token use that is never stale (issued now) and moves no clock. */
function refreshUse(jti: string, maxReuse: number): RefreshTokenUse {
  const t = nowSeconds();
  return { jti, issuedAt: t + 3600, now: t, maxReuse };
}

/** Drops absent optional fields, which a store may give back as present-but-undefined. */
const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** Comparable form of a user session: client sessions as an object sorted by client. */
function plain(session: UserSession | undefined): unknown {
  if (!session) return session;
  const clients = [...session.clientSessions.entries()].sort(([a], [b]) => a.localeCompare(b));
  return json({ ...session, clientSessions: Object.fromEntries(clients) });
}

const backends = await sessionStoreBackends();

for (const backend of backends) {
  const skip = backend.unavailable !== undefined && !process.env.CI ? `skipped: ${backend.unavailable}` : false;

  describe(`SessionStore contract: ${backend.name}`, { skip }, () => {
    let store: SessionStore;

    before(async () => {
      if (backend.unavailable) throw new Error(`${backend.name} must run under CI: ${backend.unavailable}`);
      store = await backend.open();
    });
    after(() => backend.dispose());

    it('creates a user session and reads it back with its client sessions', async () => {
      const session = userSession({
        rememberMe: true,
        clients: [clientSession('client-a', { redirectUri: 'https://a.example/cb', refreshTokenJti: 'jti-1', refreshTokenUses: 1 }), clientSession('client-b')],
      });
      await store.createUserSession(session);
      assert.deepEqual(plain(await store.getUserSession(session.id, false)), plain(session));
    });

    it('keeps the User-Agent a session was opened with, and none when it had none', async () => {
      const withAgent = { ...userSession(), userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' };
      await store.createUserSession(withAgent);
      assert.equal((await store.getUserSession(withAgent.id, false))?.userAgent, withAgent.userAgent);
      const listed = await store.listUserSessionsOfUser(withAgent.realmId, withAgent.userId, false);
      assert.equal(listed.find((s) => s.id === withAgent.id)?.userAgent, withAgent.userAgent);
      const without = userSession();
      await store.createUserSession(without);
      assert.equal('userAgent' in (await store.getUserSession(without.id, false))!, false);
    });

    it("keeps a session's notes (the impersonator), and none when it had none", async () => {
      const notes = { IMPERSONATOR_ID: uid('admin'), IMPERSONATOR_USERNAME: 'admin' };
      const impersonated = { ...userSession(), notes };
      await store.createUserSession(impersonated);
      assert.deepEqual((await store.getUserSession(impersonated.id, false))?.notes, notes);
      const listed = await store.listUserSessionsOfUser(impersonated.realmId, impersonated.userId, false);
      assert.deepEqual(listed.find((s) => s.id === impersonated.id)?.notes, notes);
      const plain = userSession();
      await store.createUserSession(plain);
      assert.equal('notes' in (await store.getUserSession(plain.id, false))!, false);
    });

    it('returns nothing for an unknown session and refuses to create one twice', async () => {
      assert.equal(await store.getUserSession(uid('nobody'), false), undefined);
      const session = userSession();
      await store.createUserSession(session);
      await assert.rejects(store.createUserSession(session));
    });

    it('keeps its own copies: changing what went in or came out changes nothing stored', async () => {
      const session = userSession({ clients: [clientSession('client-a')] });
      await store.createUserSession(session);
      session.userId = 'mutated';
      session.clientSessions.get('client-a')!.scope = 'mutated';
      const read = (await store.getUserSession(session.id, false))!;
      assert.notEqual(read.userId, 'mutated');
      assert.equal(read.clientSessions.get('client-a')!.scope, 'openid profile');
      read.clientSessions.clear();
      assert.equal((await store.getUserSession(session.id, false))!.clientSessions.size, 1);
    });

    it('keeps an online and an offline session with the same id apart', async () => {
      const online = userSession({ clients: [clientSession('client-a')] });
      const offline = { ...userSession({ clients: [clientSession('client-b')] }), id: online.id, offline: true };
      await store.createUserSession(online);
      await store.createUserSession(offline);
      assert.deepEqual(plain(await store.getUserSession(online.id, false)), plain(online));
      assert.deepEqual(plain(await store.getUserSession(online.id, true)), plain(offline));
      assert.equal(await store.deleteUserSession(online.id, false), true);
      assert.equal(await store.getUserSession(online.id, false), undefined);
      assert.deepEqual(plain(await store.getUserSession(online.id, true)), plain(offline));
    });

    it('putClientSession adds or replaces a client session and never shortens the user session', async () => {
      const session = userSession({ realmId: uid('realm') });
      await store.createUserSession(session);
      const later = session.expiresAt + 600;
      assert.equal(await store.putClientSession(session.id, false, clientSession('client-a', { refreshTokenJti: 'j', refreshTokenUses: 2 }), later), true);
      let read = (await store.getUserSession(session.id, false))!;
      assert.equal(read.expiresAt, later);
      assert.equal(read.clientSessions.get('client-a')!.refreshTokenJti, 'j');

      const replacement = clientSession('client-a', { scope: 'openid email', redirectUri: 'https://a.example/2' });
      assert.equal(await store.putClientSession(session.id, false, replacement, session.expiresAt), true);
      read = (await store.getUserSession(session.id, false))!;
      assert.equal(read.expiresAt, later);
      assert.deepEqual(json(read.clientSessions.get('client-a')), json(replacement));
      assert.equal(await store.countUserSessionsOfClient(session.realmId, 'client-a', false), 1);
    });

    it('putClientSession on a missing user session returns false and stores nothing', async () => {
      const realmId = uid('realm');
      const id = uid('gone');
      assert.equal(await store.putClientSession(id, false, clientSession('client-a'), nowSeconds() + 60), false);
      assert.equal(await store.getUserSession(id, false), undefined);
      assert.equal(await store.countUserSessionsOfClient(realmId, 'client-a', false), 0);
    });

    it('removeClientSession removes that client session only', async () => {
      const realmId = uid('realm');
      const session = userSession({ realmId, clients: [clientSession('client-a'), clientSession('client-b')] });
      await store.createUserSession(session);
      assert.equal(await store.removeClientSession(session.id, false, 'client-a'), true);
      assert.equal(await store.removeClientSession(session.id, false, 'client-a'), false);
      assert.equal(await store.removeClientSession(uid('gone'), false, 'client-a'), false);
      assert.deepEqual([...(await store.getUserSession(session.id, false))!.clientSessions.keys()], ['client-b']);
      assert.deepEqual(await store.listUserSessionsOfClient(realmId, 'client-a', false, 0, 10), []);
      assert.equal(await store.countUserSessionsOfClient(realmId, 'client-a', false), 0);
      assert.equal(await store.countUserSessionsOfClient(realmId, 'client-b', false), 1);
    });

    it('deleteUserSession removes the session with its client sessions', async () => {
      const realmId = uid('realm');
      const session = userSession({ realmId, clients: [clientSession('client-a')] });
      await store.createUserSession(session);
      assert.equal(await store.deleteUserSession(session.id, false), true);
      assert.equal(await store.deleteUserSession(session.id, false), false);
      assert.equal(await store.getUserSession(session.id, false), undefined);
      assert.equal(await store.countUserSessionsOfClient(realmId, 'client-a', false), 0);
      assert.deepEqual(await store.listUserSessionsOfUser(realmId, session.userId, false), []);
      assert.equal(await store.useRefreshToken(session.id, false, 'client-a', refreshUse('jti', 1)), 'missing');
    });

    it('putUserSessions writes a batch and, put again, replaces each session with its client sessions, counted once', async () => {
      const realmId = uid('realm');
      // More than one multi-row statement's worth, online and offline, with an online and offline session sharing an id.
      const online = Array.from({ length: 620 }, (_, i) => userSession({ realmId, clients: i % 2 === 0 ? [clientSession('client-a'), clientSession('client-b')] : [clientSession('client-a')] }));
      const offline = [{ ...userSession({ realmId, offline: true, clients: [clientSession('client-a')] }), id: online[0].id }];
      await store.putUserSessions([...online, ...offline]);
      assert.equal(await store.countUserSessionsOfRealm(realmId, false), 620);
      assert.equal(await store.countUserSessionsOfRealm(realmId, true), 1);
      assert.equal(await store.countUserSessionsOfClient(realmId, 'client-b', false), 310);
      assert.deepEqual(plain(await store.getUserSession(online[2].id, false)), plain(online[2]));

      // A re-run: the same ids with other contents, one client session fewer on the first.
      const again = online.map((s, i) => ({ ...s, lastRefresh: s.lastRefresh + 5, clientSessions: new Map(i === 0 ? [] : s.clientSessions) }));
      await store.putUserSessions(again);
      assert.equal(await store.countUserSessionsOfRealm(realmId, false), 620);
      assert.equal(await store.countUserSessionsOfClient(realmId, 'client-a', false), 619);
      assert.equal(await store.countUserSessionsOfClient(realmId, 'client-b', false), 309);
      assert.deepEqual(plain(await store.getUserSession(online[0].id, false)), plain(again[0]));
      assert.deepEqual(plain(await store.getUserSession(online[0].id, true)), plain(offline[0]));
      await store.putUserSessions([]);
    });

    it('deleteUserSessionsOfUser removes every session of that user and kind, and no other', async () => {
      const realmId = uid('realm');
      const userId = uid('user');
      const mine = [userSession({ realmId, userId }), userSession({ realmId, userId, clients: [clientSession('client-a')] })];
      const myOffline = userSession({ realmId, userId, offline: true });
      const someoneElse = userSession({ realmId });
      for (const s of [...mine, myOffline, someoneElse]) await store.createUserSession(s);

      const removed = await store.deleteUserSessionsOfUser(realmId, userId, false);
      assert.deepEqual(removed.sort(), mine.map((s) => s.id).sort());
      for (const s of mine) assert.equal(await store.getUserSession(s.id, false), undefined);
      assert.ok(await store.getUserSession(myOffline.id, true));
      assert.ok(await store.getUserSession(someoneElse.id, false));
      assert.equal(await store.countUserSessionsOfClient(realmId, 'client-a', false), 0);
      assert.deepEqual(await store.deleteUserSessionsOfUser(realmId, userId, false), []);
    });

    it('touch never moves a time backwards, whatever order batches land in', async () => {
      const session = userSession({ clients: [clientSession('client-a')] });
      await store.createUserSession(session);
      const t = session.lastRefresh;
      const at = (delta: number, clientUuid = 'client-a') => ({
        userSessionId: session.id,
        offline: false,
        lastRefresh: t + delta,
        expiresAt: session.expiresAt + delta,
        clientUuid,
        clientTimestamp: t + delta,
      });
      await store.touch([at(100), at(50), { ...at(10), userSessionId: uid('gone') }, at(200, 'client-unknown')]);
      await store.touch([at(70)]);
      await store.touch([]);
      const read = (await store.getUserSession(session.id, false))!;
      assert.equal(read.lastRefresh, t + 200);
      assert.equal(read.expiresAt, session.expiresAt + 200);
      assert.equal(read.clientSessions.get('client-a')!.timestamp, t + 100);
      assert.equal(read.clientSessions.has('client-unknown'), false);
    });

    it('concurrent touch batches over the same sessions, in opposite orders, all land', async () => {
      const sessions = Array.from({ length: 8 }, () => userSession({ clients: [clientSession('client-a')] }));
      for (const s of sessions) await store.createUserSession(s);
      const batches = Array.from({ length: 12 }, (_, b) => {
        const batch = sessions.map((s) => ({
          userSessionId: s.id,
          offline: false,
          lastRefresh: s.lastRefresh + b,
          expiresAt: s.expiresAt + b,
          clientUuid: 'client-a',
          clientTimestamp: s.lastRefresh + b,
        }));
        return b % 2 === 0 ? batch : batch.reverse();
      });
      await Promise.all(batches.map((batch) => store.touch(batch)));
      for (const s of sessions) {
        const read = (await store.getUserSession(s.id, false))!;
        assert.equal(read.lastRefresh, s.lastRefresh + 11);
        assert.equal(read.clientSessions.get('client-a')!.timestamp, s.lastRefresh + 11);
      }
    });

    it('touches racing with deletes of the same sessions all succeed', async () => {
      const realmId = uid('realm');
      const clients = ['client-a', 'client-b', 'client-c'];
      for (let round = 0; round < 3; round += 1) {
        const users = [uid('user'), uid('user'), uid('user')];
        const sessions = Array.from({ length: 20 }, (_, i) => userSession({ realmId, userId: users[i % 3], clients: clients.map((c) => clientSession(c)) }));
        for (const s of sessions) await store.createUserSession(s);
        const touchAll = (delta: number) =>
          store.touch(
            sessions.flatMap((s) =>
              clients.map((clientUuid) => ({ userSessionId: s.id, offline: false, lastRefresh: s.lastRefresh + delta, expiresAt: s.expiresAt + delta, clientUuid, clientTimestamp: s.lastRefresh + delta })),
            ),
          );
        await Promise.all([
          ...Array.from({ length: 8 }, (_, i) => touchAll(i + 1)),
          ...sessions.map((s) => store.deleteUserSession(s.id, false)),
          ...users.map((userId) => store.deleteUserSessionsOfUser(realmId, userId, false)),
        ]);
        for (const s of sessions) assert.equal(await store.getUserSession(s.id, false), undefined);
      }
    });

    it('lists the sessions of a user, and of a client page by page', async () => {
      const realmId = uid('realm');
      const userId = uid('user');
      const base = nowSeconds() - 1000;
      const withClient = [3, 0, 4, 1, 2].map((i) => userSession({ realmId, userId, started: base + i, clients: [clientSession('client-a')] }));
      const withoutClient = userSession({ realmId, userId, started: base + 10 });
      const offlineWithClient = userSession({ realmId, userId, offline: true, clients: [clientSession('client-a')] });
      for (const s of [...withClient, withoutClient, offlineWithClient]) await store.createUserSession(s);
      const inOrder = [...withClient].sort((a, b) => a.started - b.started);

      const ofUser = await store.listUserSessionsOfUser(realmId, userId, false);
      assert.deepEqual(ofUser.map(plain), [...inOrder, withoutClient].map(plain));
      assert.deepEqual((await store.listUserSessionsOfClient(realmId, 'client-a', false, 1, 2)).map(plain), inOrder.slice(1, 3).map(plain));
      assert.deepEqual((await store.listUserSessionsOfClient(realmId, 'client-a', false, 0, 100)).map((s) => s.id), inOrder.map((s) => s.id));
      assert.deepEqual(await store.listUserSessionsOfClient(realmId, 'client-a', false, 5, 10), []);
      assert.deepEqual((await store.listUserSessionsOfClient(realmId, 'client-a', true, 0, 10)).map((s) => s.id), [offlineWithClient.id]);
      assert.deepEqual(await store.listUserSessionsOfClient(uid('other-realm'), 'client-a', false, 0, 10), []);
      assert.equal(await store.countUserSessionsOfClient(realmId, 'client-a', false), 5);
      assert.equal(await store.countUserSessionsOfClient(realmId, 'client-a', true), 1);
    });

    it('lists a realm\'s sessions page by page in id order, online before offline', async () => {
      const realmId = uid('realm');
      const online = Array.from({ length: 5 }, () => userSession({ realmId, clients: [clientSession('client-a')] }));
      const offline = Array.from({ length: 2 }, () => userSession({ realmId, offline: true, clients: [clientSession('client-a')] }));
      await store.createUserSession(userSession());
      for (const s of [...online, ...offline]) await store.createUserSession(s);
      const byId = (a: UserSession, b: UserSession): number => (a.id < b.id ? -1 : 1);
      const onlineIds = [...online].sort(byId).map((s) => s.id);
      const offlineIds = [...offline].sort(byId).map((s) => s.id);

      const firstPage = await store.listUserSessionsOfRealm(realmId, { offline: false, first: 0, max: 2 });
      assert.deepEqual(firstPage.map(plain), [...online].sort(byId).slice(0, 2).map(plain));
      assert.deepEqual((await store.listUserSessionsOfRealm(realmId, { offline: false, first: 4, max: 10 })).map((s) => s.id), onlineIds.slice(4));
      assert.deepEqual((await store.listUserSessionsOfRealm(realmId, { offline: true, first: 0, max: 10 })).map((s) => s.id), offlineIds);
      assert.deepEqual((await store.listUserSessionsOfRealm(realmId, { first: 3, max: 3 })).map((s) => s.id), [...onlineIds.slice(3), offlineIds[0]]);
      assert.deepEqual((await store.listUserSessionsOfRealm(realmId, { first: 6, max: 3 })).map((s) => s.id), [offlineIds[1]]);
      assert.deepEqual(await store.listUserSessionsOfRealm(realmId, { first: 0, max: 0 }), []);
      assert.deepEqual(await store.listUserSessionsOfRealm(uid('other-realm'), { first: 0, max: 10 }), []);
    });

    it('finds a realm\'s sessions by user or by IP address prefix', async () => {
      const realmId = uid('realm');
      const alice = uid('alice');
      const ofAlice = [userSession({ realmId, userId: alice, ipAddress: '10.0.0.1' }), userSession({ realmId, userId: alice, ipAddress: '10.0.0.2' })];
      const fromNet = userSession({ realmId, ipAddress: '198.51.100.20' });
      const other = userSession({ realmId, ipAddress: '203.0.113.9' });
      const offlineOfAlice = userSession({ realmId, userId: alice, offline: true, ipAddress: '10.0.0.1' });
      for (const s of [...ofAlice, fromNet, other, offlineOfAlice]) await store.createUserSession(s);
      const ids = (sessions: UserSession[]): string[] => sessions.map((s) => s.id).sort();

      assert.deepEqual(ids(await store.listUserSessionsOfRealm(realmId, { offline: false, search: { userIds: [alice], ipPrefix: '' }, first: 0, max: 10 })), ids(ofAlice));
      assert.deepEqual(ids(await store.listUserSessionsOfRealm(realmId, { offline: false, search: { userIds: [], ipPrefix: '198.51.' }, first: 0, max: 10 })), [fromNet.id]);
      assert.deepEqual(
        ids(await store.listUserSessionsOfRealm(realmId, { offline: false, search: { userIds: [alice], ipPrefix: '198.51.100' }, first: 0, max: 10 })),
        ids([...ofAlice, fromNet]),
      );
      assert.deepEqual(ids(await store.listUserSessionsOfRealm(realmId, { search: { userIds: [alice], ipPrefix: '' }, first: 0, max: 10 })), ids([...ofAlice, offlineOfAlice]));
      assert.deepEqual(await store.listUserSessionsOfRealm(realmId, { search: { userIds: [], ipPrefix: '%' }, first: 0, max: 10 }), []);
      assert.deepEqual(await store.listUserSessionsOfRealm(realmId, { search: { userIds: [uid('nobody')], ipPrefix: '' }, first: 0, max: 10 }), []);
      assert.equal((await store.listUserSessionsOfRealm(realmId, { offline: false, search: { userIds: [alice], ipPrefix: '' }, first: 1, max: 10 })).length, 1);
    });

    it('keeps a realm\'s session counts through creation, logout, a user\'s logout and expiry', async () => {
      const now = nowSeconds();
      await drainExpired(store, now, 1000);
      const realmId = uid('realm');
      const userId = uid('user');
      const sessions = Array.from({ length: 4 }, () => userSession({ realmId, userId }));
      const expiring = Array.from({ length: 3 }, () => userSession({ realmId, expiresAt: now - 60 }));
      const offline = userSession({ realmId, offline: true });
      for (const s of [...sessions, ...expiring, offline]) await store.createUserSession(s);
      await store.createUserSession(userSession());
      assert.equal(await store.countUserSessionsOfRealm(realmId, false), 7);
      assert.equal(await store.countUserSessionsOfRealm(realmId, true), 1);

      await drainExpired(store, now, 2);
      assert.equal(await store.countUserSessionsOfRealm(realmId, false), 4);
      assert.equal(await store.deleteUserSession(sessions[0].id, false), true);
      assert.equal(await store.deleteUserSession(sessions[0].id, false), false);
      assert.equal(await store.countUserSessionsOfRealm(realmId, false), 3);
      await store.deleteUserSessionsOfUser(realmId, userId, false);
      assert.equal(await store.countUserSessionsOfRealm(realmId, false), 0);
      assert.equal(await store.countUserSessionsOfRealm(realmId, true), 1);
      assert.equal(await store.countUserSessionsOfRealm(uid('other-realm'), false), 0);
    });

    it('counts a realm\'s sessions exactly under 40 concurrent logins and logouts', async () => {
      const realmId = uid('realm');
      const sessions = Array.from({ length: 40 }, () => userSession({ realmId }));
      await Promise.all(sessions.map((s) => store.createUserSession(s)));
      await Promise.all(sessions.slice(0, 15).map((s) => store.deleteUserSession(s.id, false)));
      assert.equal(await store.countUserSessionsOfRealm(realmId, false), 25);
    });

    it('counts every user session, online and offline', async () => {
      const before = await store.countUserSessions();
      const online = userSession();
      await store.createUserSession(online);
      await store.createUserSession({ ...userSession(), id: online.id, offline: true });
      assert.equal(await store.countUserSessions(), before + 2);
      await store.deleteUserSession(online.id, false);
      assert.equal(await store.countUserSessions(), before + 1);
    });

    it('stores, replaces and deletes auth sessions', async () => {
      const t = nowSeconds();
      const tab = { clientId: 'app', redirectUri: 'https://app.example/cb', responseType: 'code', responseMode: 'query' as const, scope: 'openid', sessionCode: 'sc-1', createdAt: t };
      const authSession: AuthSession = { id: uid('as'), realmId: 'realm-contract', origin: 'origin-1', createdAt: t, expiresAt: t + 1800, tabs: { tab1: tab } };
      await store.putAuthSession(authSession);
      assert.deepEqual(await store.getAuthSession(authSession.id), authSession);
      const replaced = { ...authSession, expiresAt: t + 1900, tabs: { tab1: tab, tab2: { ...tab, state: 's', nonce: 'n' } } };
      await store.putAuthSession(replaced);
      assert.deepEqual(await store.getAuthSession(authSession.id), replaced);
      await store.deleteAuthSession(authSession.id);
      assert.equal(await store.getAuthSession(authSession.id), undefined);
      await store.deleteAuthSession(authSession.id);
    });

    it('keeps the newest auth sessions of each origin and overall, evicting the oldest', async () => {
      const t = nowSeconds();
      const login = (origin: string): AuthSession => ({ id: uid('as'), realmId: 'realm-contract', origin, createdAt: t, expiresAt: t + 1800, tabs: {} });
      const roomy = { perOrigin: 5, total: 1000 };
      const [originA, originB] = [uid('origin'), uid('origin')];
      const a = Array.from({ length: 8 }, () => login(originA));
      let evicted = 0;
      for (const s of a) evicted += await store.createAuthSession(s, roomy);
      assert.equal(evicted, 3);
      const alive = async (sessions: AuthSession[]) => (await Promise.all(sessions.map((s) => store.getAuthSession(s.id)))).filter((s) => s !== undefined).map((s) => s!.id);
      assert.deepEqual(await alive(a), a.slice(3).map((s) => s.id));
      assert.deepEqual(await store.getAuthSession(a[7].id), a[7]);

      // Another origin has a budget of its own; a finished login stops counting against its origin.
      const b = login(originB);
      assert.equal(await store.createAuthSession(b, roomy), 0);
      await store.deleteAuthSession(a[7].id);
      const a8 = login(originA);
      assert.equal(await store.createAuthSession(a8, roomy), 0);
      assert.deepEqual(await alive([...a, a8]), [...a.slice(3, 7), a8].map((s) => s.id));

      // Overall: the newest `total` stay, whatever their origin.
      const c = login(uid('origin'));
      assert.equal(await store.createAuthSession(c, { perOrigin: 5, total: 3 }), 4);
      assert.deepEqual(await alive([...a, b, a8, c]), [b, a8, c].map((s) => s.id));
    });

    it('bounds the auth sessions of an origin under concurrent creation', async () => {
      const t = nowSeconds();
      const origin = uid('origin');
      const logins: AuthSession[] = Array.from({ length: 40 }, () => ({ id: uid('as'), realmId: 'realm-contract', origin, createdAt: t, expiresAt: t + 1800, tabs: {} }));
      await Promise.all(logins.map((s) => store.createAuthSession(s, { perOrigin: 10, total: 100_000 })));
      const alive = (await Promise.all(logins.map((s) => store.getAuthSession(s.id)))).filter((s) => s !== undefined);
      assert.equal(alive.length, 10);
    });

    it('consumes a code once; afterwards it is reused; an unknown code is unknown', async () => {
      const code = authorizationCode(uid('us'));
      await store.putCode(code);
      assert.deepEqual(await store.consumeCode(code.codeHash), { outcome: 'consumed', code });
      assert.deepEqual(await store.consumeCode(code.codeHash), { outcome: 'reused', code });
      assert.deepEqual(await store.consumeCode(uid('no-such-code')), { outcome: 'unknown' });
    });

    it('an action-token record (no session, no client) is consumed once, even by 20 racing nodes', async () => {
      // src/action-tokens stores e-mail links' single-use records as codes bound to no session.
      const record = { ...authorizationCode(''), clientUuid: '', redirectUri: '', scope: 'execute-actions' };
      await store.putCode(record);
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.consumeCode(record.codeHash)));
      assert.equal(outcomes.filter((o) => o.outcome === 'consumed').length, 1);
      assert.deepEqual(await store.consumeCode(record.codeHash), { outcome: 'reused', code: record });
    });

    it('50 concurrent consumers of one code: exactly one consumes it', async () => {
      const code = authorizationCode(uid('us'));
      await store.putCode(code);
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => store.consumeCode(code.codeHash)));
      assert.equal(outcomes.filter((o) => o.outcome === 'consumed').length, 1);
      assert.equal(outcomes.filter((o) => o.outcome === 'reused').length, 49);
    });

    it('claimOnce: the first claim of a key wins, later ones lose until it lapses, then it is taken over', async () => {
      const now = Math.floor(Date.now() / 1000);
      const key = uid('once');
      assert.equal(await store.claimOnce(key, now + 60, now), true);
      assert.equal(await store.claimOnce(key, now + 60, now), false);
      assert.equal(await store.claimOnce(key, now + 60, now + 60), false, 'a claim holds through its last second');
      assert.equal(await store.claimOnce(uid('once'), now + 60, now), true, 'other keys are independent');
      // Redis lapses a claim by its own TTL, in real time; the others by the caller's clock.
      if (backend.name === 'redis') return;
      assert.equal(await store.claimOnce(key, now + 200, now + 120), true, 'a lapsed claim is taken over');
      assert.equal(await store.claimOnce(key, now + 200, now + 130), false);
    });

    it('claimOnce: the sweeper removes lapsed claims and keeps live ones', { skip: backend.name === 'redis' && 'Redis lapses claims by TTL' }, async () => {
      const now = nowSeconds();
      const [lapsed, live] = [uid('once'), uid('once')];
      await store.claimOnce(lapsed, now - 10, now - 20);
      await store.claimOnce(live, now + 60, now);
      await drainExpired(store, now, 1000);
      assert.equal(await store.claimOnce(lapsed, now + 60, now - 20), true, 'the lapsed row is gone, whatever clock the claimer has');
      assert.equal(await store.claimOnce(live, now + 60, now), false);
    });

    it('claimOnce: 50 concurrent claims of one key, exactly one wins', async () => {
      const now = Math.floor(Date.now() / 1000);
      const key = uid('once');
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => store.claimOnce(key, now + 60, now)));
      assert.equal(outcomes.filter(Boolean).length, 1);
    });

    it('ephemeral records: put once, read, compare-and-set, take once, delete', async () => {
      const now = nowSeconds();
      const key = uid('eph');
      assert.equal(await store.putEphemeral(key, 'pending', now + 60, now), true);
      assert.equal(await store.putEphemeral(key, 'other', now + 60, now), false, 'a live record keeps its key');
      assert.equal(await store.getEphemeral(key, now), 'pending');
      assert.equal(await store.getEphemeral(key, now + 60), 'pending', 'live through its last second');
      assert.equal(await store.replaceEphemeral(key, 'approved', 'x', now + 60, now), false, 'compare fails on another value');
      assert.equal(await store.replaceEphemeral(key, 'pending', 'approved', now + 90, now), true);
      assert.equal(await store.getEphemeral(key, now + 80), 'approved', 'the replacement carries its new expiry');
      assert.equal(await store.takeEphemeral(key, now), 'approved');
      assert.equal(await store.takeEphemeral(key, now), undefined, 'taken once');
      assert.equal(await store.getEphemeral(key, now), undefined);
      const other = uid('eph');
      await store.putEphemeral(other, 'v', now + 60, now);
      await store.deleteEphemeral(other);
      assert.equal(await store.getEphemeral(other, now), undefined);
      await store.deleteEphemeral(uid('eph'));
      const large = 'x'.repeat(64 * 1024);
      const big = uid('eph');
      assert.equal(await store.putEphemeral(big, large, now + 60, now), true);
      assert.equal(await store.getEphemeral(big, now), large, '64 KiB values are kept whole');
    });

    it('ephemeral records: a lapsed record reads as absent on the caller\'s clock and is replaced by a new put', async () => {
      const now = nowSeconds();
      const key = uid('eph');
      await store.putEphemeral(key, 'old', now + 60, now);
      assert.equal(await store.getEphemeral(key, now + 61), undefined);
      assert.equal(await store.replaceEphemeral(key, 'old', 'new', now + 200, now + 61), false, 'a lapsed record cannot be replaced');
      assert.equal(await store.takeEphemeral(uid('eph'), now), undefined);
      assert.equal(await store.putEphemeral(key, 'fresh', now + 200, now + 61), true);
      assert.equal(await store.getEphemeral(key, now + 61), 'fresh');
      const lapsing = uid('eph');
      await store.putEphemeral(lapsing, 'v', now + 10, now);
      assert.equal(await store.takeEphemeral(lapsing, now + 11), undefined, 'a lapsed record is not handed out');
    });

    it('ephemeral records: 50 concurrent takes or compare-and-sets, exactly one wins', async () => {
      const now = nowSeconds();
      const [taken, replaced] = [uid('eph'), uid('eph')];
      await store.putEphemeral(taken, 'v', now + 60, now);
      await store.putEphemeral(replaced, 'pending', now + 60, now);
      const takes = await Promise.all(Array.from({ length: 50 }, () => store.takeEphemeral(taken, now)));
      assert.equal(takes.filter((t) => t === 'v').length, 1);
      const sets = await Promise.all(Array.from({ length: 50 }, (_, i) => store.replaceEphemeral(replaced, 'pending', `done-${i}`, now + 60, now)));
      assert.equal(sets.filter(Boolean).length, 1);
      const puts = await Promise.all(Array.from({ length: 50 }, (_, i) => store.putEphemeral(`${replaced}:new`, `p-${i}`, now + 60, now)));
      assert.equal(puts.filter(Boolean).length, 1);
    });

    it('ephemeral records: the sweeper removes lapsed records and keeps live ones', { skip: backend.name === 'redis' && 'Redis lapses records by TTL' }, async () => {
      const now = nowSeconds();
      const [lapsed, live] = [uid('eph'), uid('eph')];
      await store.putEphemeral(lapsed, 'a', now - 10, now - 20);
      await store.putEphemeral(live, 'b', now + 60, now);
      await drainExpired(store, now, 1000);
      assert.equal(await store.getEphemeral(lapsed, now - 20), undefined, 'the lapsed row is gone, whatever clock the reader has');
      assert.equal(await store.getEphemeral(live, now), 'b');
    });

    it('rotation: a newer jti starts over at one use; the same jti is allowed maxReuse more', async () => {
      const session = userSession({ clients: [clientSession('client-a')] });
      await store.createUserSession(session);
      const use = (jti: string, maxReuse: number) => store.useRefreshToken(session.id, false, 'client-a', refreshUse(jti, maxReuse));
      assert.equal(await use('j1', 0), 'ok');
      assert.equal(await use('j1', 0), 'exceeded');
      assert.equal(await use('j2', 1), 'ok');
      assert.equal(await use('j2', 1), 'ok');
      let stored = (await store.getUserSession(session.id, false))!.clientSessions.get('client-a')!;
      assert.equal(stored.refreshTokenJti, 'j2');
      assert.equal(stored.refreshTokenUses, 2);
      assert.equal(await use('j2', 1), 'exceeded');
      stored = (await store.getUserSession(session.id, false))!.clientSessions.get('client-a')!;
      assert.equal(stored.refreshTokenJti, 'j2');
      assert.ok(stored.refreshTokenUses > 2);
    });

    it('rotation: an accepted use moves the client session timestamp to now, never back', async () => {
      const t = nowSeconds();
      const session = userSession({ clients: [clientSession('client-a', { timestamp: t - 100 })] });
      await store.createUserSession(session);
      const timestamp = async () => (await store.getUserSession(session.id, false))!.clientSessions.get('client-a')!.timestamp;
      assert.equal(await store.useRefreshToken(session.id, false, 'client-a', { jti: 'j1', issuedAt: t - 100, now: t - 50, maxReuse: 0 }), 'ok');
      assert.equal(await timestamp(), t - 50);
      assert.equal(await store.useRefreshToken(session.id, false, 'client-a', { jti: 'j2', issuedAt: t - 50, now: t - 60, maxReuse: 0 }), 'ok');
      assert.equal(await timestamp(), t - 50);
      assert.equal(await store.useRefreshToken(session.id, false, 'client-a', { jti: 'j2', issuedAt: t - 50, now: t, maxReuse: 0 }), 'exceeded');
      assert.equal(await timestamp(), t - 50);
    });

    it('rotation: an older token used after a newer one is stale, and changes nothing', async () => {
      const t = nowSeconds();
      const session = userSession({ clients: [clientSession('client-a', { timestamp: t - 100 })] });
      await store.createUserSession(session);
      const use = (jti: string, issuedAt: number, now: number) => store.useRefreshToken(session.id, false, 'client-a', { jti, issuedAt, now, maxReuse: 2 });
      // Nothing used yet: any token is accepted (Keycloak checks staleness only against a used one).
      assert.equal(await use('first', t - 100, t - 10), 'ok');
      // Issued at the last refresh (same second): the newer token, accepted.
      assert.equal(await use('second', t - 10, t), 'ok');
      assert.equal(await use('first', t - 100, t + 1), 'stale');
      assert.equal(await use('other', t - 1, t + 1), 'stale');
      const stored = (await store.getUserSession(session.id, false))!.clientSessions.get('client-a')!;
      assert.equal(stored.refreshTokenJti, 'second');
      assert.equal(stored.refreshTokenUses, 1);
      assert.equal(stored.timestamp, t);
      assert.equal(await use('second', t - 10, t + 1), 'ok');
      assert.equal(await use('third', t + 1, t + 2), 'ok');
    });

    it('200 concurrent uses of one refresh token with maxReuse=2: exactly 3 succeed', async () => {
      const t = nowSeconds();
      const session = userSession({ clients: [clientSession('client-a', { refreshTokenJti: 'old', refreshTokenUses: 1, timestamp: t })] });
      await store.createUserSession(session);
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, () => store.useRefreshToken(session.id, false, 'client-a', { jti: 'rt-1', issuedAt: t, now: t + 1, maxReuse: 2 })),
      );
      assert.equal(outcomes.filter((o) => o === 'ok').length, 3);
      assert.equal(outcomes.filter((o) => o === 'exceeded').length, 197);
      assert.equal(await store.useRefreshToken(session.id, false, 'client-a', { jti: 'rt-2', issuedAt: t + 1, now: t + 2, maxReuse: 2 }), 'ok');
    });

    it('200 concurrent uses of an older token and its successor: the first one used wins, the other is stale', async () => {
      const t = nowSeconds();
      const session = userSession({ clients: [clientSession('client-a', { refreshTokenJti: 'rt-1', refreshTokenUses: 1, timestamp: t })] });
      await store.createUserSession(session);
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          i % 2 === 0
            ? store.useRefreshToken(session.id, false, 'client-a', { jti: 'rt-2', issuedAt: t, now: t + 1, maxReuse: 1000 })
            : store.useRefreshToken(session.id, false, 'client-a', { jti: 'rt-1', issuedAt: t - 5, now: t + 1, maxReuse: 1000 }).then((o) => `old:${o}`),
        ),
      );
      // The row serialises the uses, and whichever token is used first decides (Keycloak's rule):
      // the newer token first makes every older-token use stale; an older-token reuse first moves
      // the client session's timestamp past the newer token's iat, making that one stale instead.
      const count = (outcome: string) => outcomes.filter((o) => o === outcome).length;
      const stored = (await store.getUserSession(session.id, false))!.clientSessions.get('client-a')!;
      if (stored.refreshTokenJti === 'rt-2') {
        assert.deepEqual([count('ok'), count('stale'), count('old:ok'), count('old:stale')], [100, 0, 0, 100]);
        assert.equal(stored.refreshTokenUses, 100);
      } else {
        assert.equal(stored.refreshTokenJti, 'rt-1');
        assert.deepEqual([count('ok'), count('stale'), count('old:ok'), count('old:stale')], [0, 100, 100, 0]);
        assert.equal(stored.refreshTokenUses, 101);
      }
    });

    it('rotation on a missing client session or user session is missing', async () => {
      const session = userSession({ clients: [clientSession('client-a')] });
      await store.createUserSession(session);
      assert.equal(await store.useRefreshToken(session.id, false, 'client-b', refreshUse('j', 1)), 'missing');
      assert.equal(await store.useRefreshToken(session.id, true, 'client-a', refreshUse('j', 1)), 'missing');
      assert.equal(await store.useRefreshToken(uid('gone'), false, 'client-a', refreshUse('j', 1)), 'missing');
    });

    it('counts login failures atomically and keeps the previous failure time', async () => {
      const realmId = uid('realm');
      const userId = uid('user');
      assert.equal(await store.getLoginFailure(realmId, userId), undefined);
      const t = Date.now();
      const first = await store.recordLoginFailure(realmId, userId, { atMs: t, ipAddress: '192.0.2.1', resetAfterMs: 60_000 });
      assert.deepEqual(json(first), { failure: { numFailures: 1, numTemporaryLockouts: 0, lastFailure: t, lastIpFailure: '192.0.2.1', failedLoginNotBefore: 0 }, previousFailure: 0 });
      const second = await store.recordLoginFailure(realmId, userId, { atMs: t + 500, ipAddress: '192.0.2.2', resetAfterMs: 60_000 });
      assert.deepEqual(json(second), { failure: { numFailures: 2, numTemporaryLockouts: 0, lastFailure: t + 500, lastIpFailure: '192.0.2.2', failedLoginNotBefore: 0 }, previousFailure: t });

      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.recordLoginFailure(realmId, userId, { atMs: t + 1000 + i, ipAddress: '192.0.2.3', resetAfterMs: 60_000 })),
      );
      assert.deepEqual(outcomes.map((o) => o.failure.numFailures).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 3));
      assert.equal(new Set(outcomes.map((o) => o.previousFailure)).size, 50);
      assert.equal((await store.getLoginFailure(realmId, userId))!.numFailures, 52);
      assert.deepEqual(await store.getLoginFailure(realmId, uid('someone-else')), undefined);
    });

    it('starts login failures over after the reset window, as Keycloak clears them', async () => {
      const realmId = uid('realm');
      const userId = uid('user');
      const t = Date.now();
      await store.recordLoginFailure(realmId, userId, { atMs: t, ipAddress: '192.0.2.1', resetAfterMs: 1000 });
      await store.lockLoginFailure(realmId, userId, { notBefore: Math.floor(t / 1000) + 60, countLockout: true });
      const within = await store.recordLoginFailure(realmId, userId, { atMs: t + 1000, ipAddress: '192.0.2.1', resetAfterMs: 1000 });
      assert.equal(within.failure.numFailures, 2);
      assert.equal(within.failure.numTemporaryLockouts, 1);
      const after = await store.recordLoginFailure(realmId, userId, { atMs: t + 2001, ipAddress: '192.0.2.1', resetAfterMs: 1000 });
      assert.deepEqual(json(after), { failure: { numFailures: 1, numTemporaryLockouts: 0, lastFailure: 0, failedLoginNotBefore: 0 }, previousFailure: t + 1000 });
      // Without a window (permanent lockout only) nothing is ever reset.
      const never = await store.recordLoginFailure(realmId, userId, { atMs: t + 10_000_000, ipAddress: '192.0.2.1' });
      assert.equal(never.failure.numFailures, 2);
    });

    it('locks: never shortens a lock, counts lockouts, honours the lockout limit', async () => {
      const realmId = uid('realm');
      const userId = uid('user');
      const t = Math.floor(Date.now() / 1000);
      assert.equal(await store.lockLoginFailure(realmId, userId, { notBefore: t + 60, countLockout: true }), undefined);
      await store.recordLoginFailure(realmId, userId, { atMs: t * 1000, ipAddress: '192.0.2.1' });
      const locked = (await store.lockLoginFailure(realmId, userId, { notBefore: t + 60, countLockout: true }))!;
      assert.deepEqual([locked.numTemporaryLockouts, locked.failedLoginNotBefore], [1, t + 60]);
      const shorter = (await store.lockLoginFailure(realmId, userId, { notBefore: t + 30, countLockout: false }))!;
      assert.deepEqual([shorter.numTemporaryLockouts, shorter.failedLoginNotBefore], [1, t + 60]);
      const overLimit = (await store.lockLoginFailure(realmId, userId, { notBefore: t + 900, countLockout: true, maxLockouts: 1 }))!;
      assert.deepEqual([overLimit.numTemporaryLockouts, overLimit.failedLoginNotBefore], [2, t + 60]);
      const withinLimit = (await store.lockLoginFailure(realmId, userId, { notBefore: t + 900, countLockout: true, maxLockouts: 5 }))!;
      assert.deepEqual([withinLimit.numTemporaryLockouts, withinLimit.failedLoginNotBefore], [3, t + 900]);
      assert.deepEqual((await store.getLoginFailure(realmId, userId))!.failedLoginNotBefore, t + 900);
    });

    it('clears login failures of one user, or of a whole realm', async () => {
      const [realmA, realmB] = [uid('realm'), uid('realm')];
      const [u1, u2] = [uid('user'), uid('user')];
      const at = { atMs: Date.now(), ipAddress: '192.0.2.1' };
      for (const [realm, user] of [[realmA, u1], [realmA, u2], [realmB, u1]]) await store.recordLoginFailure(realm, user, at);
      await store.deleteLoginFailures(realmA, u1);
      assert.equal(await store.getLoginFailure(realmA, u1), undefined);
      assert.equal((await store.getLoginFailure(realmA, u2))!.numFailures, 1);
      await store.recordLoginFailure(realmA, u1, at);
      await store.deleteLoginFailures(realmA);
      assert.equal(await store.getLoginFailure(realmA, u1), undefined);
      assert.equal(await store.getLoginFailure(realmA, u2), undefined);
      assert.equal((await store.getLoginFailure(realmB, u1))!.numFailures, 1);
      assert.equal((await store.recordLoginFailure(realmA, u2, at)).failure.numFailures, 1);
    });

    it('claims a user\'s login attempt for one holder at a time; released or lapsed, it is free again', async () => {
      const [realmId, userId] = [uid('realm'), uid('user')];
      const claim = (holder: string, leaseMs = 30_000) => {
        const nowMs = Date.now();
        return store.claimLoginAttempt(realmId, userId, { holder, nowMs, untilMs: nowMs + leaseMs });
      };
      assert.equal(await claim('first'), true);
      assert.equal(await claim('second'), false, 'held by first');
      assert.equal(await store.claimLoginAttempt(realmId, uid('user'), { holder: 'second', nowMs: Date.now(), untilMs: Date.now() + 30_000 }), true, 'another user');
      assert.equal(await store.claimLoginAttempt(uid('realm'), userId, { holder: 'second', nowMs: Date.now(), untilMs: Date.now() + 30_000 }), true, 'another realm');
      await store.releaseLoginAttempt(realmId, userId, 'second');
      assert.equal(await claim('third'), false, 'only the holder releases');
      await store.releaseLoginAttempt(realmId, userId, 'first');
      assert.equal(await claim('second', 40), true, 'free after release');
      // The lease lapses on its own (a node that died mid-check); bounded wait, well past the 40 ms lease.
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(await claim('fourth'), true, 'a lapsed claim is taken over');
      await store.releaseLoginAttempt(realmId, userId, 'second');
      assert.equal(await claim('fifth'), false, 'the lapsed holder cannot release its successor');
    });

    it('50 concurrent claims of one user: exactly one holder wins', async () => {
      const [realmId, userId] = [uid('realm'), uid('user')];
      const nowMs = Date.now();
      const won = await Promise.all(Array.from({ length: 50 }, (_, i) => store.claimLoginAttempt(realmId, userId, { holder: `h${i}`, nowMs, untilMs: nowMs + 30_000 })));
      assert.equal(won.filter(Boolean).length, 1);
    });

    it('two nodes checking one user: checks never overlap, and 10 or 50 guesses count exactly failureFactor failures', async () => {
      const nodes = [new LoginAttempts(store, systemClock), new LoginAttempts(store, systemClock)];
      for (const guesses of [10, 50]) {
        const [realmId, userId] = [uid('realm'), uid('user')];
        let inside = 0;
        let most = 0;
        let checked = 0;
        // What checkCredentials does under the claim: read the counters, refuse when locked, else count a failure.
        const guess = (i: number) =>
          nodes[i % 2].exclusive(realmId, userId, async () => {
            inside += 1;
            most = Math.max(most, inside);
            try {
              const failure = await store.getLoginFailure(realmId, userId);
              if (failure && failure.numFailures >= 3) return 'locked';
              checked += 1;
              await store.recordLoginFailure(realmId, userId, { atMs: Date.now(), ipAddress: '192.0.2.1' });
              return 'counted';
            } finally {
              inside -= 1;
            }
          });
        const answers = await Promise.all(Array.from({ length: guesses }, (_, i) => guess(i)));
        assert.equal(answers.includes(ATTEMPT_BUSY), false, `${guesses}: nobody turned away`);
        assert.equal(most, 1, `${guesses}: one check at a time`);
        assert.equal(checked, 3, `${guesses}: passwords checked`);
        assert.equal((await store.getLoginFailure(realmId, userId))!.numFailures, 3);
      }
    });

    it('keeps revoked token ids until they expire', async () => {
      const now = nowSeconds();
      const [live, stale] = [uid('jti'), uid('jti')];
      await store.revokeToken(live, now + 60);
      await store.revokeToken(live, now + 60);
      await store.revokeToken(stale, now - 10);
      const ours = async (at: number) => (await store.listRevokedTokens(at)).filter((r) => r.jti === live || r.jti === stale).sort((a, b) => a.expiresAt - b.expiresAt);
      assert.deepEqual(await ours(now), [{ jti: live, expiresAt: now + 60 }]);
      assert.deepEqual(await ours(now - 100), [{ jti: stale, expiresAt: now - 10 }, { jti: live, expiresAt: now + 60 }]);
      await drainExpired(store, now, 1);
      assert.deepEqual(await ours(now - 100), [{ jti: live, expiresAt: now + 60 }]);
    });

    it('removeExpired removes only expired sessions, at most limit per call', async () => {
      const now = nowSeconds();
      await drainExpired(store, now, 1000);
      const realmId = uid('realm');
      const userId = uid('user');
      const expired = Array.from({ length: 5 }, () => userSession({ realmId, userId, expiresAt: now - 60, clients: [clientSession('client-a')] }));
      const live = userSession({ realmId, userId, expiresAt: now + 60, clients: [clientSession('client-a')] });
      for (const s of [...expired, live]) await store.createUserSession(s);

      const batches = await drainExpired(store, now, 2);
      assert.deepEqual(batches, [2, 2, 1, 0]);
      for (const s of expired) assert.equal(await store.getUserSession(s.id, false), undefined);
      assert.ok(await store.getUserSession(live.id, false));
      assert.deepEqual((await store.listUserSessionsOfUser(realmId, userId, false)).map((s) => s.id), [live.id]);
      assert.equal(await store.countUserSessionsOfClient(realmId, 'client-a', false), 1);
    });

    it('removeExpired removes expired auth sessions and codes and keeps live ones', async () => {
      const now = nowSeconds();
      const authSession = (expiresAt: number): AuthSession => ({ id: uid('as'), realmId: 'realm-contract', origin: 'origin-1', createdAt: now - 100, expiresAt, tabs: {} });
      const [oldLogin, newLogin] = [authSession(now - 10), authSession(now + 600)];
      const [oldCode, newCode] = [authorizationCode(uid('us'), now - 10), authorizationCode(uid('us'), now + 600)];
      for (const s of [oldLogin, newLogin]) await store.putAuthSession(s);
      for (const c of [oldCode, newCode]) await store.putCode(c);
      await drainExpired(store, now, 1);
      assert.equal(await store.getAuthSession(oldLogin.id), undefined);
      assert.deepEqual(await store.getAuthSession(newLogin.id), newLogin);
      assert.deepEqual(await store.consumeCode(oldCode.codeHash), { outcome: 'unknown' });
      assert.equal((await store.consumeCode(newCode.codeHash)).outcome, 'consumed');
    });

    it('answers ping', async () => {
      await store.ping();
    });
  });
}

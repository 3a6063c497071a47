/**
 * Ending sessions for the admin API: one session (and its offline twin), every session of a
 * user, every session of a realm, or those a deleted identity provider created. Every delete goes through the cached session store, so the
 * removal is durable before the response and no node keeps serving a cached copy.
 */
import type { Context } from '../context.ts';
import type { Client, LoadedRealm } from '../realm/index.ts';
import type { UserSession } from '../session/index.ts';

/** Listing page while ending a realm's sessions: each round re-reads from the start. */
const PAGE = 500;

/**
 * Ends every session of one kind of the realm. With `issuer`, each ended session's back-channel
 * clients are notified. Two passes: through the clients the sessions are attached to (on Redis,
 * sessions written before the realm index existed are found only that way), then through the
 * realm's own listing, for the sessions no client is attached to any more (their clients were
 * deleted): those would otherwise outlive their realm and stay in its counts.
 */
export async function endRealmSessions(ctx: Context, realm: LoadedRealm, offline: boolean, issuer?: string): Promise<number> {
  const endPages = async (page: () => Promise<UserSession[]>): Promise<number> => {
    let ended = 0;
    for (;;) {
      const sessions = await page();
      let removed = 0;
      for (const session of sessions) {
        if (!(await ctx.store.deleteUserSession(session.id, offline))) continue;
        removed++;
        if (issuer !== undefined) ctx.logoutNotifier.sessionEnded(realm, issuer, session);
      }
      ended += removed;
      // A page that removed nothing would come back unchanged: stop rather than spin.
      if (sessions.length === 0 || removed === 0) return ended;
    }
  };
  let ended = 0;
  for (const client of realm.clientsById.values()) ended += await endPages(() => ctx.store.listUserSessionsOfClient(realm.realm.id, client.id, offline, 0, PAGE));
  ended += await endPages(() => ctx.store.listUserSessionsOfRealm(realm.realm.id, { offline, first: 0, max: PAGE }));
  return ended;
}

/** Ends every online session of a user, notifying their back-channel clients. */
export async function endUserSessions(ctx: Context, realm: LoadedRealm, userId: string, issuer: string): Promise<void> {
  for (const session of await ctx.store.listUserSessionsOfUser(realm.realm.id, userId, false)) {
    if (await ctx.store.deleteUserSession(session.id, false)) ctx.logoutNotifier.sessionEnded(realm, issuer, session);
  }
  // Sessions created meanwhile go too; they were not listed, so they get no notice.
  await ctx.store.deleteUserSessionsOfUser(realm.realm.id, userId, false);
}

/**
 * Ends the sessions, online and offline, that users logged in with through a deleted identity
 * provider (Keycloak no longer accepts them either); the users' back-channel clients are
 * notified, the upstream is not called (its provider is gone).
 */
export async function endBrokeredSessions(ctx: Context, realm: LoadedRealm, issuer: string, alias: string, userIds: readonly string[]): Promise<void> {
  for (const userId of userIds) {
    for (const offline of [false, true]) {
      for (const session of await ctx.store.listUserSessionsOfUser(realm.realm.id, userId, offline)) {
        if (session.notes?.identity_provider !== alias) continue;
        if (await ctx.store.deleteUserSession(session.id, offline)) ctx.logoutNotifier.sessionEnded(realm, issuer, session, new Set(), { upstream: false });
      }
    }
  }
}

/** Removes a deleted client's share of every session, online and offline. */
export async function detachClientSessions(ctx: Context, realm: LoadedRealm, client: Client): Promise<void> {
  for (const offline of [false, true]) {
    for (;;) {
      const page = await ctx.store.listUserSessionsOfClient(realm.realm.id, client.id, offline, 0, PAGE);
      let removed = 0;
      for (const session of page) if (await ctx.store.removeClientSession(session.id, offline, client.id)) removed++;
      if (page.length === 0 || removed === 0) break;
    }
  }
}

/**
 * Ending sessions for the admin API: one session (and its offline twin), every session of a
 * user, every session of a realm, or those a deleted identity provider created. Every delete goes through the cached session store, so the
 * removal is durable before the response and no node keeps serving a cached copy.
 */
import type { Context } from '../context.ts';
import type { Client, LoadedRealm } from '../realm/index.ts';

/** Listing page while ending a realm's sessions: each round re-reads from the start. */
const PAGE = 500;

/**
 * Ends every online session of the realm, found through the clients they are attached to
 * (the session store is indexed by client and by user, not by realm alone). With `issuer`, each
 * ended session's back-channel clients are notified.
 */
export async function endRealmSessions(ctx: Context, realm: LoadedRealm, offline: boolean, issuer?: string): Promise<number> {
  let ended = 0;
  for (const client of realm.clientsById.values()) {
    for (;;) {
      const page = await ctx.store.listUserSessionsOfClient(realm.realm.id, client.id, offline, 0, PAGE);
      let removed = 0;
      for (const session of page) {
        if (!(await ctx.store.deleteUserSession(session.id, offline))) continue;
        removed++;
        if (issuer !== undefined) ctx.logoutNotifier.sessionEnded(realm, issuer, session);
      }
      ended += removed;
      // A page that removed nothing would come back unchanged: stop rather than spin.
      if (page.length === 0 || removed === 0) break;
    }
  }
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

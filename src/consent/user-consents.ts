/**
 * A user's consents as the admin API (`/users/{id}/consents`) and the account API
 * (applications) list, grant and revoke them. Listing follows Keycloak: every client the user
 * consented to, plus every client holding an offline token of theirs ("Offline Token" as an
 * additional grant). Revoking follows Keycloak too: the consent goes, the user's offline
 * sessions of that client go (an offline session left without clients with them), and when there
 * was a consent, the client is logged out of the user's online sessions (back-channel notice
 * included). Everything is durable before it returns.
 */
import type { Context } from '../context.ts';
import type { Client, LoadedRealm, UserConsent } from '../realm/index.ts';
import { grantedScopesOf, type ConsentScope } from './consent-scopes.ts';

export interface UserConsentView {
  client: Client;
  /** Absent for a client that only holds an offline token. */
  consent?: UserConsent;
  /** The granted scopes that still exist. */
  grantedScopes: ConsentScope[];
  /** The user has an offline session with this client. */
  offlineToken: boolean;
}

/** Who asked for a grant or revocation, for the user event (REVOKE_GRANT, GRANT_CONSENT, UPDATE_CONSENT); none from the admin API, which records an admin event. */
export interface ConsentEventSource {
  ipAddress: string;
  /** The client the request came through (the account console), when not the consent's. */
  clientId?: string;
}

export async function listUserConsents(ctx: Context, realm: LoadedRealm, userId: string): Promise<UserConsentView[]> {
  const offline = new Set<string>();
  for (const session of await ctx.store.listUserSessionsOfUser(realm.realm.id, userId, true)) for (const clientUuid of session.clientSessions.keys()) offline.add(clientUuid);
  const views: UserConsentView[] = [];
  const listed = new Set<string>();
  for (const consent of await ctx.realms.repository.listConsents(userId)) {
    const client = realm.clientsById.get(consent.clientUuid);
    if (!client) continue;
    listed.add(client.id);
    views.push({ client, consent, grantedScopes: grantedScopesOf(realm, consent), offlineToken: offline.has(client.id) });
  }
  for (const clientUuid of offline) {
    const client = realm.clientsById.get(clientUuid);
    if (client && !listed.has(clientUuid)) views.push({ client, grantedScopes: [], offlineToken: true });
  }
  return views;
}

export type GrantOutcome = 'granted' | 'updated' | 'unchanged';

/** Adds `scopes` to the user's consent to `client` (creating it); `unchanged` when all were granted already. */
export async function grantUserConsent(ctx: Context, realm: LoadedRealm, userId: string, client: Client, scopes: ConsentScope[], source?: ConsentEventSource): Promise<GrantOutcome> {
  const nowMs = ctx.clock.nowMs();
  const existing = await ctx.realms.repository.getConsent(userId, client.id);
  const granted = new Set(existing?.grantedScopeIds ?? []);
  const added = scopes.filter((s) => !granted.has(s.id)).map((s) => s.id);
  if (existing && added.length === 0) return 'unchanged';
  await ctx.realms.repository.putConsent({
    userId,
    clientUuid: client.id,
    grantedScopeIds: [...granted, ...added],
    createdDate: existing?.createdDate ?? nowMs,
    lastUpdatedDate: nowMs,
  });
  if (source) {
    ctx.events.recorder
      .user(realm, existing ? 'UPDATE_CONSENT' : 'GRANT_CONSENT', source.ipAddress)
      .client(source.clientId ?? client.clientId)
      .user(userId)
      .detail('granted_client', client.clientId)
      .success();
  }
  return existing ? 'updated' : 'granted';
}

export interface Revocation {
  consent: boolean;
  offlineToken: boolean;
}

/**
 * Revokes the user's consent to `client` and its offline tokens. `issuer` is the realm's base
 * URL, for the back-channel notice to the client logged out of online sessions.
 */
export async function revokeUserConsent(ctx: Context, realm: LoadedRealm, issuer: string, userId: string, client: Client, source?: ConsentEventSource): Promise<Revocation> {
  const consent = await ctx.realms.repository.deleteConsent(userId, client.id);
  let offlineToken = false;
  for (const session of await ctx.store.listUserSessionsOfUser(realm.realm.id, userId, true)) {
    if (!session.clientSessions.has(client.id)) continue;
    offlineToken = (await ctx.store.removeClientSession(session.id, true, client.id)) || offlineToken;
    if (session.clientSessions.size === 1) await ctx.store.deleteUserSession(session.id, true);
  }
  if (consent) {
    for (const session of await ctx.store.listUserSessionsOfUser(realm.realm.id, userId, false)) {
      const clientSession = session.clientSessions.get(client.id);
      if (!clientSession || !(await ctx.store.removeClientSession(session.id, false, client.id))) continue;
      ctx.logoutNotifier.sessionEnded(realm, issuer, { ...session, clientSessions: new Map([[client.id, clientSession]]) });
    }
  }
  if (source && (consent || offlineToken)) {
    ctx.events.recorder
      .user(realm, 'REVOKE_GRANT', source.ipAddress)
      .client(source.clientId ?? client.clientId)
      .user(userId)
      .detail('revoked_client', client.clientId)
      .success();
  }
  return { consent, offlineToken };
}

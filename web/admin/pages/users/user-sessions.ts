/**
 * A user's sessions as Keycloak's console gathers them: the online ones from `/sessions`, the
 * offline ones from `/offline-sessions/{clientUuid}` for every client the consents listing names
 * with an "Offline Token" grant. One offline session serves several clients and is listed once
 * per client, so the listings are merged by id with their clients joined.
 */
import { api } from '../../api.ts';
import { userPath, type ConsentRep, type SessionRep } from './types.ts';

export type UserSession = SessionRep & { type: 'REGULAR' | 'OFFLINE' };

const OFFLINE_TOKEN = 'Offline Token';

export async function loadUserSessions(realm: string, userId: string): Promise<UserSession[]> {
  const [online, consents] = await Promise.all([api.get<SessionRep[]>(userPath(realm, userId, 'sessions')), api.get<ConsentRep[]>(userPath(realm, userId, 'consents'))]);
  const offlineClients = [...new Set(consents.flatMap((c) => c.additionalGrants.filter((g) => g.key === OFFLINE_TOKEN).map((g) => g.client)))];
  const perClient = await Promise.all(offlineClients.map((uuid) => api.get<SessionRep[]>(userPath(realm, userId, 'offline-sessions', uuid))));
  const offline = new Map<string, UserSession>();
  for (const session of perClient.flat()) {
    const seen = offline.get(session.id);
    if (seen) seen.clients = { ...seen.clients, ...session.clients };
    else offline.set(session.id, { ...session, type: 'OFFLINE' });
  }
  return [...online.map((s): UserSession => ({ ...s, type: 'REGULAR' })), ...offline.values()];
}

/**
 * Revoking an offline session is revoking the offline access of each of its clients (consent
 * and offline tokens), as Keycloak's console does: an offline token belongs to the grant.
 */
export async function revokeOfflineSession(realm: string, userId: string, session: UserSession): Promise<void> {
  await Promise.all(Object.values(session.clients).map((clientId) => api.del(userPath(realm, userId, 'consents', clientId))));
}

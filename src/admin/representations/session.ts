/**
 * Keycloak's UserSessionRepresentation: one user or offline session as the admin API lists it,
 * with times in epoch milliseconds and the clients attached to it by UUID → clientId.
 */
import type { RealmModel } from '../../realm/index.ts';
import type { UserSession } from '../../session/index.ts';

/** `onlyClient` limits `clients` to one client, as the offline-session listings do. */
export function toUserSessionRepresentation(model: RealmModel, session: UserSession, username: string, onlyClient?: string): Record<string, unknown> {
  const clients: Record<string, string> = {};
  for (const uuid of session.clientSessions.keys()) {
    if (onlyClient !== undefined && uuid !== onlyClient) continue;
    const client = model.clientsById.get(uuid);
    if (client) clients[uuid] = client.clientId;
  }
  return {
    id: session.id,
    username,
    userId: session.userId,
    ipAddress: session.ipAddress,
    start: session.started * 1000,
    lastAccess: session.lastRefresh * 1000,
    rememberMe: session.rememberMe,
    clients,
    transientUser: false,
  };
}

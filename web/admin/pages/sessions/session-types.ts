/** The realm-wide sessions list as the admin API's ui-ext/sessions gives it (Keycloak's shape). */
export type SessionType = 'ALL' | 'REGULAR' | 'OFFLINE';

export interface RealmSession {
  id: string;
  username: string;
  userId: string;
  ipAddress: string;
  /** Epoch milliseconds. */
  start: number;
  lastAccess: number;
  rememberMe?: boolean;
  /** Client UUID → clientId. */
  clients: Record<string, string>;
  type: 'REGULAR' | 'OFFLINE';
}

/** One row of `client-session-stats`; Keycloak sends the counts as strings. */
export interface ClientSessionStats {
  id: string;
  clientId: string;
  active: string;
  offline: string;
}

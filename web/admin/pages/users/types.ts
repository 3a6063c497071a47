/** The shapes of Keycloak's admin API the user pages read and write. */
export interface UserRep {
  id: string;
  username: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  enabled: boolean;
  emailVerified?: boolean;
  createdTimestamp?: number;
  attributes?: Record<string, string[]>;
  requiredActions?: string[];
  groups?: string[];
  access?: { manage?: boolean; impersonate?: boolean };
}

export interface CredentialRep {
  id: string;
  type: string;
  userLabel?: string;
  createdDate?: number;
}

export interface SessionRep {
  id: string;
  username: string;
  ipAddress: string;
  start: number;
  lastAccess: number;
  rememberMe: boolean;
  clients: Record<string, string>;
}

export interface GroupRep {
  id: string;
  name: string;
  path: string;
  subGroupCount?: number;
}

export interface ConsentRep {
  clientId: string;
  grantedClientScopes: string[];
  createdDate: number | null;
  /** `client` is the client's UUID. */
  additionalGrants: Array<{ client: string; key: string }>;
}

export interface BruteForceRep {
  disabled: boolean;
  numFailures: number;
  lastFailure: number;
  lastIPFailure: string;
}

export function userPath(realm: string, id: string, ...parts: string[]): string {
  return `/${encodeURIComponent(realm)}/users/${encodeURIComponent(id)}${parts.map((p) => `/${encodeURIComponent(p)}`).join('')}`;
}

export function dateTime(ms: number | null | undefined): string {
  return ms ? new Date(ms).toLocaleString() : '—';
}

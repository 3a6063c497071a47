/**
 * User and admin events as Keycloak's EventRepresentation and AdminEventRepresentation carry
 * them, and what holdfast needs from the store that keeps them (SQL: store/sql/sql-event-store.ts).
 */
import type { EventType, OperationType, ResourceType } from './event-types.ts';

export interface UserEvent {
  id: string;
  /** Milliseconds since the epoch. */
  time: number;
  type: EventType;
  realmId: string;
  /** The OAuth `client_id` (not the client's UUID), as Keycloak records it. */
  clientId?: string;
  userId?: string;
  sessionId?: string;
  ipAddress?: string;
  error?: string;
  details?: Record<string, string>;
}

export interface AuthDetails {
  realmId: string;
  /** The UUID of the client the admin's token was issued to. */
  clientId?: string;
  userId?: string;
  ipAddress?: string;
}

export interface AdminEvent {
  id: string;
  time: number;
  realmId: string;
  authDetails: AuthDetails;
  operationType: OperationType;
  resourceType: ResourceType;
  resourcePath?: string;
  /** JSON text of what was written, secrets masked; only with `adminEventsDetailsEnabled`. */
  representation?: string;
  error?: string;
}

/** Keycloak's filters of `GET /events`; `types` empty means all. */
export interface EventQuery {
  types: string[];
  clientId?: string;
  userId?: string;
  ipAddress?: string;
  fromMs?: number;
  toMs?: number;
  first: number;
  max: number;
  ascending: boolean;
}

/** Keycloak's filters of `GET /admin-events`; `resourcePath` may use `*` as a wildcard. */
export interface AdminEventQuery {
  operationTypes: string[];
  resourceTypes: string[];
  resourcePath?: string;
  authRealm?: string;
  authClient?: string;
  authUser?: string;
  authIpAddress?: string;
  fromMs?: number;
  toMs?: number;
  first: number;
  max: number;
  ascending: boolean;
}

export interface EventStore {
  insertEvents(events: UserEvent[]): Promise<void>;
  insertAdminEvents(events: AdminEvent[]): Promise<void>;
  findEvents(realmId: string, query: EventQuery): Promise<UserEvent[]>;
  findAdminEvents(realmId: string, query: AdminEventQuery): Promise<AdminEvent[]>;
  clearEvents(realmId: string): Promise<void>;
  clearAdminEvents(realmId: string): Promise<void>;
  /** Deletes at most `limit` of the realm's events older than `beforeMs`; returns how many. */
  deleteEventsBefore(realmId: string, beforeMs: number, limit: number): Promise<number>;
  deleteAdminEventsBefore(realmId: string, beforeMs: number, limit: number): Promise<number>;
}

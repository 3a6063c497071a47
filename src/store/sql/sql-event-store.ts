/**
 * The event store on SQLite and PostgreSQL: multi-row inserts for the writer's batches, Keycloak's
 * query filters and paging on the (realm_id, time) index, and bounded deletes for expiry.
 */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { AdminEvent, AdminEventQuery, EventQuery, EventStore, UserEvent } from '../../events/index.ts';
import type { AdminEventTable, Database, EventTable } from './schema.ts';

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);
const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

/** `*` is Keycloak's wildcard; SQL's own wildcards in the text match only themselves. */
function likePattern(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

function timeAndPage<T extends 'event_entity' | 'admin_event_entity', O>(
  query: SelectQueryBuilder<Database, T, O>,
  filter: { fromMs?: number; toMs?: number; first: number; max: number; ascending: boolean },
): SelectQueryBuilder<Database, T, O> {
  let q = query;
  if (filter.fromMs !== undefined) q = q.where(sql.ref('time'), '>=', filter.fromMs);
  if (filter.toMs !== undefined) q = q.where(sql.ref('time'), '<=', filter.toMs);
  const direction = filter.ascending ? 'asc' : 'desc';
  return q.orderBy(sql.ref('time'), direction).orderBy(sql.ref('id'), direction).limit(filter.max).offset(filter.first);
}

function toEventRow(event: UserEvent): EventTable {
  return {
    id: event.id,
    realm_id: event.realmId,
    time: event.time,
    type: event.type,
    client_id: orNull(event.clientId),
    user_id: orNull(event.userId),
    session_id: orNull(event.sessionId),
    ip_address: orNull(event.ipAddress),
    error: orNull(event.error),
    details: event.details && Object.keys(event.details).length > 0 ? JSON.stringify(event.details) : null,
  };
}

function fromEventRow(row: EventTable): UserEvent {
  return {
    id: row.id,
    time: row.time,
    type: row.type as UserEvent['type'],
    realmId: row.realm_id,
    clientId: orUndefined(row.client_id),
    userId: orUndefined(row.user_id),
    sessionId: orUndefined(row.session_id),
    ipAddress: orUndefined(row.ip_address),
    error: orUndefined(row.error),
    details: row.details === null ? undefined : (JSON.parse(row.details) as Record<string, string>),
  };
}

function toAdminRow(event: AdminEvent): AdminEventTable {
  return {
    id: event.id,
    realm_id: event.realmId,
    time: event.time,
    operation_type: event.operationType,
    resource_type: event.resourceType,
    resource_path: orNull(event.resourcePath),
    auth_realm_id: event.authDetails.realmId,
    auth_client_id: orNull(event.authDetails.clientId),
    auth_user_id: orNull(event.authDetails.userId),
    auth_ip_address: orNull(event.authDetails.ipAddress),
    representation: orNull(event.representation),
    error: orNull(event.error),
  };
}

function fromAdminRow(row: AdminEventTable): AdminEvent {
  return {
    id: row.id,
    time: row.time,
    realmId: row.realm_id,
    authDetails: {
      realmId: row.auth_realm_id,
      clientId: orUndefined(row.auth_client_id),
      userId: orUndefined(row.auth_user_id),
      ipAddress: orUndefined(row.auth_ip_address),
    },
    operationType: row.operation_type as AdminEvent['operationType'],
    resourceType: row.resource_type as AdminEvent['resourceType'],
    resourcePath: orUndefined(row.resource_path),
    representation: orUndefined(row.representation),
    error: orUndefined(row.error),
  };
}

export class SqlEventStore implements EventStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertEvents(events: UserEvent[]): Promise<void> {
    await this.db.insertInto('event_entity').values(events.map(toEventRow)).execute();
  }

  async insertAdminEvents(events: AdminEvent[]): Promise<void> {
    await this.db.insertInto('admin_event_entity').values(events.map(toAdminRow)).execute();
  }

  async findEvents(realmId: string, filter: EventQuery): Promise<UserEvent[]> {
    let q = this.db.selectFrom('event_entity').selectAll().where('realm_id', '=', realmId);
    if (filter.types.length > 0) q = q.where('type', 'in', filter.types);
    if (filter.clientId !== undefined) q = q.where('client_id', '=', filter.clientId);
    if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
    if (filter.ipAddress !== undefined) q = q.where('ip_address', '=', filter.ipAddress);
    return (await timeAndPage(q, filter).execute()).map(fromEventRow);
  }

  async findAdminEvents(realmId: string, filter: AdminEventQuery): Promise<AdminEvent[]> {
    let q = this.db.selectFrom('admin_event_entity').selectAll().where('realm_id', '=', realmId);
    if (filter.operationTypes.length > 0) q = q.where('operation_type', 'in', filter.operationTypes);
    if (filter.resourceTypes.length > 0) q = q.where('resource_type', 'in', filter.resourceTypes);
    if (filter.resourcePath !== undefined) q = q.where(sql<boolean>`resource_path like ${likePattern(filter.resourcePath)} escape '\\'`);
    if (filter.authRealm !== undefined) q = q.where('auth_realm_id', '=', filter.authRealm);
    if (filter.authClient !== undefined) q = q.where('auth_client_id', '=', filter.authClient);
    if (filter.authUser !== undefined) q = q.where('auth_user_id', '=', filter.authUser);
    if (filter.authIpAddress !== undefined) q = q.where('auth_ip_address', '=', filter.authIpAddress);
    return (await timeAndPage(q, filter).execute()).map(fromAdminRow);
  }

  async clearEvents(realmId: string): Promise<void> {
    await this.db.deleteFrom('event_entity').where('realm_id', '=', realmId).execute();
  }

  async clearAdminEvents(realmId: string): Promise<void> {
    await this.db.deleteFrom('admin_event_entity').where('realm_id', '=', realmId).execute();
  }

  async deleteEventsBefore(realmId: string, beforeMs: number, limit: number): Promise<number> {
    const oldest = this.db.selectFrom('event_entity').select('id').where('realm_id', '=', realmId).where('time', '<', beforeMs).limit(limit);
    const result = await this.db.deleteFrom('event_entity').where('id', 'in', oldest).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteAdminEventsBefore(realmId: string, beforeMs: number, limit: number): Promise<number> {
    const oldest = this.db.selectFrom('admin_event_entity').select('id').where('realm_id', '=', realmId).where('time', '<', beforeMs).limit(limit);
    const result = await this.db.deleteFrom('admin_event_entity').where('id', 'in', oldest).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

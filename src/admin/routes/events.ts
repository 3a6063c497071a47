/**
 * `/events`, `/admin-events` and `/events/config`: a realm's stored user and admin events with
 * Keycloak's filters and paging (newest first unless `direction=asc`), clearing them, and the
 * realm's event settings. Reading needs view-events, changing manage-events, as in Keycloak.
 * A filter value Keycloak would choke on (an unknown type: a 500 there) is a 400 here.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { AdminError } from '../../errors/index.ts';
import {
  EVENT_TYPES,
  OPERATION_TYPES,
  RESOURCE_TYPES,
  applyEventsConfig,
  eventSettingChecks,
  toEventsConfigRepresentation,
  type UserEvent,
} from '../../events/index.ts';
import { adminScope, paging, queryString, readBody } from '../admin-request.ts';
import { object } from '../json-shape.ts';

const DEFAULT_MAX = 100;
const DAY_MS = 86_400_000;
const eventsConfig = object(eventSettingChecks);

const invalid = (message: string) => new AdminError(400, { error: message });

/** A filter that may be given several times (`type=LOGIN&type=LOGOUT`), each value from `allowed`. */
function queryList(request: FastifyRequest, name: string, allowed: ReadonlySet<string>): string[] {
  const raw = (request.query as Record<string, unknown>)[name];
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === 'string' && v !== '');
  for (const value of values) if (!allowed.has(value)) throw invalid(`Invalid value for '${name}': ${value}`);
  return values;
}

/**
 * `yyyy-MM-dd` (UTC; a `dateTo` day is included whole) or epoch milliseconds, as Keycloak 26
 * accepts them.
 */
function queryDate(request: FastifyRequest, name: 'dateFrom' | 'dateTo'): number | undefined {
  const value = queryString(request, name);
  if (value === undefined) return undefined;
  if (/^\d{1,15}$/.test(value)) return Number(value);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const start = day ? Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])) : NaN;
  if (!day || Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== value) {
    throw invalid(`Invalid value for '${name}', expected format is yyyy-MM-dd or an Epoch timestamp`);
  }
  return name === 'dateTo' ? start + DAY_MS - 1 : start;
}

function common(request: FastifyRequest) {
  const direction = queryString(request, 'direction');
  if (direction !== undefined && direction !== 'asc' && direction !== 'desc') throw invalid('Invalid value for sortDirection, expected value is asc or desc');
  return { ...paging(request, DEFAULT_MAX), fromMs: queryDate(request, 'dateFrom'), toMs: queryDate(request, 'dateTo'), ascending: direction === 'asc' };
}

function toEventRepresentation(event: UserEvent): Record<string, unknown> {
  const { details, ...rest } = event;
  return details && Object.keys(details).length > 0 ? { ...rest, details } : rest;
}

const OPERATIONS: ReadonlySet<string> = new Set(OPERATION_TYPES);
const RESOURCES: ReadonlySet<string> = new Set(RESOURCE_TYPES);

export async function eventRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const store = ctx.events.store;

  app.get('/admin/realms/:realm/events', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-events');
    const events = await store.findEvents(realm.realm.id, {
      ...common(request),
      types: queryList(request, 'type', EVENT_TYPES),
      clientId: queryString(request, 'client'),
      userId: queryString(request, 'user'),
      ipAddress: queryString(request, 'ipAddress'),
    });
    return events.map(toEventRepresentation);
  });

  app.delete('/admin/realms/:realm/events', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-events');
    // What is still queued belongs to the past too: written first, then cleared with the rest.
    await ctx.events.writer.flush();
    await store.clearEvents(realm.realm.id);
    return reply.code(204).send();
  });

  app.get('/admin/realms/:realm/admin-events', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-events');
    const events = await store.findAdminEvents(realm.realm.id, {
      ...common(request),
      operationTypes: queryList(request, 'operationTypes', OPERATIONS),
      resourceTypes: queryList(request, 'resourceTypes', RESOURCES),
      resourcePath: queryString(request, 'resourcePath'),
      authRealm: queryString(request, 'authRealm'),
      authClient: queryString(request, 'authClient'),
      authUser: queryString(request, 'authUser'),
      authIpAddress: queryString(request, 'authIpAddress'),
    });
    return events;
  });

  app.delete('/admin/realms/:realm/admin-events', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-events');
    await ctx.events.writer.flush();
    await store.clearAdminEvents(realm.realm.id);
    return reply.code(204).send();
  });

  app.get('/admin/realms/:realm/events/config', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-events');
    return toEventsConfigRepresentation(realm.realm.settings);
  });

  app.put('/admin/realms/:realm/events/config', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-events');
    const body = readBody(request, eventsConfig);
    const updated = { ...realm.realm, settings: applyEventsConfig(realm.realm.settings, body) };
    await ctx.realms.repository.transaction((tx) => tx.updateRealm(updated));
    await ctx.realms.realmChanged(realm.realm.id);
    return reply.code(204).send();
  });
}

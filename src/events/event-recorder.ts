/**
 * Where every user and admin event goes: a structured log line (the realm's `jboss-logging`
 * listener, on by default: failed logins are visible at info level whether or not events are
 * stored, successes at debug), a counter, and, when the realm stores that type, the batched writer. Which types a
 * realm stores is worked out once per loaded realm, not per event.
 */
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock/index.ts';
import { newId } from '../crypto/index.ts';
import type { LoadedRealm, RealmSettings } from '../realm/index.ts';
import { EventBuilder, type EventSink } from './event-builder.ts';
import { markAuthFailure } from '../http/request-metrics.ts';
import { LOGGING_LISTENER } from './events-config.ts';
import type { AdminEvent } from './event-store.ts';
import { SAVED_BY_DEFAULT, type EventType } from './event-types.ts';
import type { EventWriter } from './event-writer.ts';

/**
 * Where an event comes from: the request it happens in (its client address, and it learns of a
 * failure), or only an address for work outside a request's own flow.
 */
export type EventOrigin = FastifyRequest | string;

const storedTypesBySettings = new WeakMap<RealmSettings, ReadonlySet<string>>();

function storedTypes(settings: RealmSettings): ReadonlySet<string> {
  let types = storedTypesBySettings.get(settings);
  if (!types) {
    types = new Set<string>(!settings.eventsEnabled ? [] : settings.enabledEventTypes.length > 0 ? settings.enabledEventTypes : SAVED_BY_DEFAULT);
    storedTypesBySettings.set(settings, types);
  }
  return types;
}

const logs = (settings: RealmSettings) => settings.eventsListeners.includes(LOGGING_LISTENER);

export class EventRecorder implements EventSink {
  private readonly userEvents: Counter<'event' | 'error'>;
  /** Counter children by type and error, kept: a refresh records an event, and should not hash labels for it. */
  private readonly userEventChildren = new Map<string, Map<string, Counter.Internal>>();
  private readonly adminEvents: Counter<'operation'>;

  constructor(
    private readonly writer: EventWriter,
    private readonly log: FastifyBaseLogger,
    private readonly clock: Clock,
    registry: Registry,
  ) {
    this.userEvents = new Counter({ name: 'holdfast_user_events_total', help: 'User events by type and error', labelNames: ['event', 'error'], registers: [registry] });
    this.adminEvents = new Counter({ name: 'holdfast_admin_events_total', help: 'Admin events by operation type', labelNames: ['operation'], registers: [registry] });
    new Gauge({
      name: 'holdfast_events_queued',
      help: 'Events waiting to be written',
      registers: [registry],
      collect() {
        this.set(writer.queued);
      },
    });
  }

  /** Opens an event of `type` for a request in `realm`. */
  user(realm: LoadedRealm, type: EventType, origin: EventOrigin): EventBuilder {
    return typeof origin === 'string' ? new EventBuilder(this, realm, type, origin) : new EventBuilder(this, realm, type, origin.clientConnection.address, origin);
  }

  recordUserEvent(builder: EventBuilder, type: EventType, error: string | undefined): void {
    this.countUserEvent(type, error ?? '');
    if (error !== undefined && builder.request) markAuthFailure(builder.request, error);
    const event = {
      id: newId(),
      time: this.clock.nowMs(),
      type,
      realmId: builder.realm.realm.id,
      clientId: builder.clientId,
      userId: builder.userId,
      sessionId: builder.sessionId,
      ipAddress: builder.ipAddress,
      error,
      details: builder.details,
    };
    const settings = builder.realm.realm.settings;
    // As Keycloak's jboss-logging listener: failures at a level operators see (info here, warn
    // there), successes at debug, since one line per refresh would cost the hot path more than
    // storing the event does.
    if (logs(settings)) {
      if (error !== undefined) this.log.info({ event: { ...event, realm: builder.realm.realm.name } }, `user event ${type}`);
      else if (this.log.level === 'debug' || this.log.level === 'trace') this.log.debug({ event: { ...event, realm: builder.realm.realm.name } }, `user event ${type}`);
    }
    if (storedTypes(settings).has(type)) this.writer.addUserEvent(event);
  }

  private countUserEvent(type: EventType, error: string): void {
    let byError = this.userEventChildren.get(type);
    if (!byError) {
      byError = new Map();
      this.userEventChildren.set(type, byError);
    }
    let child = byError.get(error);
    if (!child) {
      child = this.userEvents.labels({ event: type, error });
      byError.set(error, child);
    }
    child.inc();
  }

  /** An admin change in `realm` (success only, as Keycloak records them). */
  recordAdminEvent(realm: LoadedRealm, event: Omit<AdminEvent, 'id' | 'time' | 'realmId'>): void {
    this.adminEvents.inc({ operation: event.operationType });
    const settings = realm.realm.settings;
    const stored: AdminEvent = { id: newId(), time: this.clock.nowMs(), realmId: realm.realm.id, ...event };
    if (!settings.adminEventsDetailsEnabled) delete stored.representation;
    if (logs(settings)) {
      const { representation: _representation, ...line } = stored;
      this.log.info({ adminEvent: { ...line, realm: realm.realm.name } }, `admin event ${event.operationType} ${event.resourceType}`);
    }
    if (settings.adminEventsEnabled) this.writer.addAdminEvent(stored);
  }
}

/**
 * A realm's event settings as Keycloak's RealmEventsConfigRepresentation (`/events/config`) and
 * the checks every way of setting them goes through (that endpoint, realm PUT, realm files).
 * Names Keycloak would store without effect (an unknown event type, a listener holdfast does
 * not have) are refused rather than kept, so a setting never silently does nothing.
 */
import { ShapeError, boolean, integer, list, string, type Check } from '../admin/json-shape.ts';
import type { RealmSettings } from '../realm/index.ts';
import { EVENT_TYPES, SAVED_BY_DEFAULT } from './event-types.ts';

/** The listener that writes each event as a structured log line (Keycloak's default listener). */
export const LOGGING_LISTENER = 'jboss-logging';
/** Keycloak's other built-in listeners: named so the refusal can say why. */
const UNSUPPORTED_LISTENERS = new Set(['email', 'workflow-event-listener']);

export const eventListenerNames: Check<string[]> = (value, path) => {
  const names = list(string)(value, path);
  names?.forEach((name, i) => {
    if (name === LOGGING_LISTENER) return;
    if (UNSUPPORTED_LISTENERS.has(name)) throw new ShapeError(`${path}[${i}]`, `event listener '${name}' is not supported by holdfast`);
    throw new ShapeError(`${path}[${i}]`, 'Unknown event listener');
  });
  return names && [...new Set(names)];
};

export const eventTypeNames: Check<string[]> = (value, path) => {
  const names = list(string)(value, path);
  names?.forEach((name, i) => {
    if (!EVENT_TYPES.has(name)) throw new ShapeError(`${path}[${i}]`, `unknown event type '${name}'`);
  });
  return names && [...new Set(names)];
};

export const eventsExpiration: Check<number> = (value, path) => {
  const seconds = integer(value, path);
  if (seconds !== undefined && seconds < 0) throw new ShapeError(path, 'expected a number of seconds, 0 or more');
  return seconds;
};

export const eventSettingChecks = {
  eventsEnabled: boolean,
  eventsExpiration,
  eventsListeners: eventListenerNames,
  enabledEventTypes: eventTypeNames,
  adminEventsEnabled: boolean,
  adminEventsDetailsEnabled: boolean,
};

export type EventSettings = Pick<RealmSettings, keyof typeof eventSettingChecks>;

/** GET `/events/config`: an empty `enabledEventTypes` is shown as the default set it stands for. */
export function toEventsConfigRepresentation(settings: RealmSettings): Record<string, unknown> {
  return {
    eventsEnabled: settings.eventsEnabled,
    ...(settings.eventsExpiration ? { eventsExpiration: settings.eventsExpiration } : {}),
    eventsListeners: settings.eventsListeners,
    enabledEventTypes: settings.enabledEventTypes.length > 0 ? settings.enabledEventTypes : [...SAVED_BY_DEFAULT],
    adminEventsEnabled: settings.adminEventsEnabled,
    adminEventsDetailsEnabled: settings.adminEventsDetailsEnabled,
  };
}

/**
 * PUT `/events/config`, as Keycloak applies it: `eventsEnabled` and `eventsExpiration` are always
 * taken (absent means off and never), the others only when given.
 */
export function applyEventsConfig(settings: RealmSettings, rep: Partial<EventSettings>): RealmSettings {
  const next: RealmSettings = { ...settings, eventsEnabled: rep.eventsEnabled ?? false };
  if (rep.eventsExpiration) next.eventsExpiration = rep.eventsExpiration;
  else delete next.eventsExpiration;
  if (rep.eventsListeners !== undefined) next.eventsListeners = rep.eventsListeners;
  if (rep.enabledEventTypes !== undefined) next.enabledEventTypes = rep.enabledEventTypes;
  if (rep.adminEventsEnabled !== undefined) next.adminEventsEnabled = rep.adminEventsEnabled;
  if (rep.adminEventsDetailsEnabled !== undefined) next.adminEventsDetailsEnabled = rep.adminEventsDetailsEnabled;
  return next;
}

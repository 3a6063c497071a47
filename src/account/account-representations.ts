/**
 * The account API's JSON shapes, as Keycloak's account representations serialise them (absent
 * optional fields are left out, booleans always written): an application (ClientRepresentation),
 * a session (SessionRepresentation) and a device with its sessions (DeviceRepresentation).
 */
import type { Client, LoadedRealm } from '../realm/index.ts';
import type { UserSession } from '../session/index.ts';
import type { Device } from './device-activity.ts';

export interface ApplicationFlags {
  inUse: boolean;
  offlineAccess: boolean;
}

/** A relative `baseUrl` resolved against `rootUrl` (`${authBaseUrl}` is holdfast's own base URL), as Keycloak's ResolveRelative. */
export function effectiveUrl(client: Client, authBaseUrl: string): string | undefined {
  const url = client.baseUrl;
  if (url === undefined || !url.startsWith('/')) return url;
  const root = (client.rootUrl ?? authBaseUrl).replace('${authBaseUrl}', authBaseUrl).replace('${authAdminUrl}', authBaseUrl).replace(/\/$/, '');
  return `${root}${url}`;
}

export function applicationRepresentation(client: Client, flags: ApplicationFlags, authBaseUrl: string, consent?: Record<string, unknown>): Record<string, unknown> {
  const rep: Record<string, unknown> = { clientId: client.clientId };
  if (client.name !== undefined) rep.clientName = client.name;
  if (client.description !== undefined) rep.description = client.description;
  rep.userConsentRequired = client.consentRequired;
  rep.inUse = flags.inUse;
  rep.offlineAccess = flags.offlineAccess;
  if (client.rootUrl !== undefined) rep.rootUrl = client.rootUrl;
  if (client.baseUrl !== undefined) rep.baseUrl = client.baseUrl;
  const effective = effectiveUrl(client, authBaseUrl);
  if (effective !== undefined) rep.effectiveUrl = effective;
  if (consent) {
    rep.consent = consent;
    for (const [field, attribute] of [['logoUri', 'logoUri'], ['policyUri', 'policyUri'], ['tosUri', 'tosUri']] as const) {
      if (client.attributes[attribute] !== undefined) rep[field] = client.attributes[attribute];
    }
  }
  return rep;
}

/** A session's client as the session list names it: id and name only (the flags are Keycloak's defaults). */
function sessionClient(client: Client): Record<string, unknown> {
  return { clientId: client.clientId, ...(client.name !== undefined ? { clientName: client.name } : {}), userConsentRequired: false, inUse: false, offlineAccess: false };
}

/** Keycloak's `expires`: start plus the SSO max lifespan (the remember-me one when set and remembered). */
function expiresOf(realm: LoadedRealm, session: UserSession): number {
  const settings = realm.realm.settings;
  const rememberMax = settings.ssoSessionMaxLifespanRememberMe;
  return session.started + (session.rememberMe && rememberMax > 0 ? rememberMax : settings.ssoSessionMaxLifespan);
}

export function sessionRepresentation(realm: LoadedRealm, session: UserSession, device: Device, currentId: string | undefined): Record<string, unknown> {
  const rep: Record<string, unknown> = {
    id: session.id,
    ipAddress: session.ipAddress,
    started: session.started,
    lastAccess: session.lastRefresh,
    expires: expiresOf(realm, session),
    clients: [...session.clientSessions.keys()].flatMap((uuid) => {
      const client = realm.clientsById.get(uuid);
      return client ? [sessionClient(client)] : [];
    }),
    ...(device.browser !== undefined ? { browser: device.browser } : {}),
  };
  if (session.id === currentId) rep.current = true;
  return rep;
}

/** A device: its sessions grouped by operating system and version, as Keycloak groups them. */
export interface DeviceGroup {
  os: string;
  osVersion: string;
  device: string;
  lastAccess: number;
  current?: boolean;
  sessions: Record<string, unknown>[];
  mobile: boolean;
}

export function groupDevices(realm: LoadedRealm, sessions: Array<{ session: UserSession; device: Device }>, currentId: string | undefined): DeviceGroup[] {
  const groups = new Map<string, DeviceGroup>();
  for (const { session, device } of sessions) {
    const key = `${device.os}${device.osVersion}`;
    let group = groups.get(key);
    if (!group) {
      group = { os: device.os, osVersion: device.osVersion, device: device.device, lastAccess: 0, sessions: [], mobile: device.mobile };
      groups.set(key, group);
    }
    if (session.id === currentId) group.current = true;
    if (group.lastAccess < session.lastRefresh) group.lastAccess = session.lastRefresh;
    group.sessions.push(sessionRepresentation(realm, session, device, currentId));
  }
  // Field order as Keycloak writes a device (`current` after `lastAccess`).
  return [...groups.values()].map((g) => ({ os: g.os, osVersion: g.osVersion, device: g.device, lastAccess: g.lastAccess, ...(g.current ? { current: true } : {}), sessions: g.sessions, mobile: g.mobile }));
}

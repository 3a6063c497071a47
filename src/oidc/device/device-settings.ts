/**
 * Which clients may use the device authorization grant and with which timings, as Keycloak's
 * OAuth2DeviceConfig decides: the client attribute `oauth2.device.authorization.grant.enabled`
 * (`true`, any case), and the realm's `oauth2DeviceCodeLifespan` / `oauth2DevicePollingInterval`
 * unless the client sets `oauth2.device.code.lifespan` / `oauth2.device.polling.interval`.
 * A client value that is not a positive whole number within the realm settings' bounds is not
 * used (Keycloak fails such a request with a server error); the realm's value applies instead.
 */
import type { Client, LoadedRealm } from '../../realm/index.ts';

export const DEVICE_GRANT_ENABLED = 'oauth2.device.authorization.grant.enabled';
const LIFESPAN_PER_CLIENT = 'oauth2.device.code.lifespan';
const INTERVAL_PER_CLIENT = 'oauth2.device.polling.interval';
/** The admin API's bounds for the realm settings (admin/representations/realm.ts). */
const MAX_LIFESPAN = 2_592_000;
const MAX_INTERVAL = 3600;

export function deviceGrantEnabled(client: Client): boolean {
  return client.attributes[DEVICE_GRANT_ENABLED]?.toLowerCase() === 'true';
}

function override(client: Client, name: string, max: number): number | undefined {
  const raw = client.attributes[name]?.trim();
  if (!raw || !/^\d{1,9}$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= 1 && value <= max ? value : undefined;
}

export function deviceCodeLifespan(realm: LoadedRealm, client: Client): number {
  return override(client, LIFESPAN_PER_CLIENT, MAX_LIFESPAN) ?? realm.realm.settings.oauth2DeviceCodeLifespan;
}

export function devicePollingInterval(realm: LoadedRealm, client: Client): number {
  return override(client, INTERVAL_PER_CLIENT, MAX_INTERVAL) ?? realm.realm.settings.oauth2DevicePollingInterval;
}

/**
 * The device a session was opened from, as Keycloak's device activity shows it: browser and
 * version, operating system and version, device family and whether it is a phone, read from the
 * User-Agent kept with the session. Keycloak parses it with uap-java; holdfast uses ua-parser-js
 * (1.x, MIT), so family names can differ slightly ("Mac OS" where Keycloak says "Mac OS X"). A
 * session without a User-Agent is Keycloak's unknown device ("Other", no browser).
 */
import { lazyRequire } from '../lazy-require.ts';

// Only the account console's device activity parses User-Agents.
const uaParser = lazyRequire<typeof import('ua-parser-js')>('ua-parser-js');

export interface Device {
  os: string;
  osVersion: string;
  /** `Firefox/128.0`; `Other/Unknown` when not recognised; absent for a session without a User-Agent. */
  browser?: string;
  device: string;
  mobile: boolean;
}

const OTHER = 'Other';
const UNKNOWN = 'Unknown';

/** Keycloak's DeviceRepresentation.unknown(): no browser at all. */
export const UNKNOWN_DEVICE: Device = { os: OTHER, osVersion: UNKNOWN, device: OTHER, mobile: false };

/** Parsed once per distinct User-Agent: a user's sessions mostly share one or two. */
const parsed = new Map<string, Device>();
const MAX_PARSED = 1000;

export function deviceOf(userAgent: string | undefined): Device {
  if (userAgent === undefined || userAgent === '') return UNKNOWN_DEVICE;
  let device = parsed.get(userAgent);
  if (!device) {
    const result = new (uaParser().UAParser)(userAgent).getResult();
    device = {
      os: result.os.name ?? OTHER,
      osVersion: result.os.version ?? UNKNOWN,
      browser: `${result.browser.name ?? OTHER}/${result.browser.version ?? UNKNOWN}`,
      device: result.device.model ?? OTHER,
      mobile: userAgent.toLowerCase().includes('mobile'),
    };
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(userAgent, device);
  }
  return device;
}

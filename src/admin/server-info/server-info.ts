/**
 * `/admin/serverinfo` as Keycloak's ServerInfoRepresentation, listing only what holdfast
 * implements: each list comes from the registry of its area (mapper types, client
 * authenticators, password policies, component types, installation providers, event enums), so
 * the answer stays true as those areas grow. Host facts (system, CPU, memory) are shown to
 * master-realm administrators only, as in Keycloak; Java-specific fields are absent, not faked.
 */
import os from 'node:os';
import v8 from 'node:v8';
import pkg from '../../../package.json' with { type: 'json' };
import { installationProviders } from '../installation/installation-providers.ts';
import { clientAuthenticators } from './client-authenticators.ts';
import { componentTypes } from './component-types.ts';
import { eventEnums } from './event-enums.ts';
import { builtinProtocolMappers, protocolMapperTypes } from './mapper-types.ts';
import { passwordPolicies } from './password-policies.ts';
import { ASYMMETRIC_ASSERTION_ALGORITHMS, HMAC_ASSERTION_ALGORITHMS } from '../../crypto/index.ts';

/** The keystore formats `/clients/{id}/certificates/{attr}/download` can write. */
export const SUPPORTED_KEYSTORE_TYPES = ['PKCS12'];

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** Java's Date.toString in UTC (`Wed Dec 02 01:00:12 UTC 2026`), which Keycloak shows. */
function javaDate(ms: number): string {
  const d = new Date(ms);
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${time} UTC ${d.getUTCFullYear()}`;
}

function uptimeText(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 86400)} days, ${Math.floor((s % 86400) / 3600)} hours, ${Math.floor((s % 3600) / 60)} minutes, ${s % 60} seconds`;
}

const megabytes = (bytes: number): string => `${Math.floor(bytes / (1024 * 1024))} MB`;

function hostInfo(nowMs: number, startedAtMs: number): Record<string, unknown> {
  const uptimeMillis = Math.max(0, nowMs - startedAtMs);
  const heap = v8.getHeapStatistics();
  const total = heap.heap_size_limit;
  const used = heap.used_heap_size;
  const free = Math.max(0, total - used);
  return {
    systemInfo: {
      version: pkg.version,
      serverTime: javaDate(nowMs),
      uptime: uptimeText(uptimeMillis),
      uptimeMillis,
      osName: os.type(),
      osArchitecture: os.arch(),
      osVersion: os.release(),
      fileEncoding: 'UTF-8',
      userTimezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      userLocale: Intl.DateTimeFormat().resolvedOptions().locale.replace('-', '_'),
    },
    cpuInfo: { processorCount: os.availableParallelism() },
    memoryInfo: {
      total,
      totalFormated: megabytes(total),
      used,
      usedFormated: megabytes(used),
      free,
      freePercentage: Math.floor((free * 100) / total),
      freeFormated: megabytes(free),
    },
  };
}

/** Keycloak's providers map: `{spi: {internal, providers: {id: {order}}}}`. */
function providerMap(): Record<string, unknown> {
  const spi = (ids: string[]) => ({ internal: true, providers: Object.fromEntries(ids.map((id) => [id, { order: 0 }])) });
  return {
    'client-authenticator': spi(clientAuthenticators.map((a) => a.id)),
    'client-installation': spi(installationProviders.map((p) => p.id)),
    'login-protocol': spi(['openid-connect']),
    'password-policy': spi(passwordPolicies.map((p) => p.id)),
    'protocol-mapper': spi(Object.values(protocolMapperTypes).flatMap((types) => types.map((t) => t.id))),
  };
}

/** A login theme as serverinfo lists it (the admin console offers these for `loginTheme`). */
export interface ThemeInfo {
  name: string;
  locales: string[];
}

export function serverInfo(options: { nowMs: number; startedAtMs: number; host: boolean; loginThemes: ThemeInfo[] }): Record<string, unknown> {
  return {
    ...(options.host ? hostInfo(options.nowMs, options.startedAtMs) : {}),
    profileInfo: { name: 'default', disabledFeatures: [], previewFeatures: [], experimentalFeatures: [] },
    features: [],
    cryptoInfo: {
      cryptoProvider: 'node:crypto',
      supportedKeystoreTypes: SUPPORTED_KEYSTORE_TYPES,
      // What client-signed JWTs (client assertions, request objects) may use, in Keycloak's order.
      clientSignatureSymmetricAlgorithms: [...HMAC_ASSERTION_ALGORITHMS].sort(),
      clientSignatureAsymmetricAlgorithms: [...ASYMMETRIC_ASSERTION_ALGORITHMS].sort(),
    },
    themes: { login: options.loginThemes },
    socialProviders: [],
    identityProviders: [],
    providers: providerMap(),
    protocolMapperTypes,
    builtinProtocolMappers,
    clientInstallations: {
      'openid-connect': installationProviders.map(({ render: _render, ...descriptor }) => descriptor),
    },
    componentTypes,
    passwordPolicies,
    enums: eventEnums,
    parameterizedScopeTypes: [],
  };
}

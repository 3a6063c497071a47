/**
 * The flags of holdfast's network edge, as Keycloak names them: hostname strictness, proxy
 * headers and trusted proxies, the management interface, the HTTPS listener, and rate limits.
 * Kept apart from the rest of the configuration so each concern reads (and merges) on its own.
 */
import net from 'node:net';
import { ConfigError } from './config-error.ts';
import type { ServerFlagName } from './flag-table.ts';

export type ProxyHeaders = 'forwarded' | 'xforwarded';

export interface RateLimitConfig {
  /** Length of one counting window, seconds. */
  windowSeconds: number;
  /** Requests per window from one client address to one endpoint group; 0 turns the limit off. */
  perIp: number;
  /** Requests per window naming one client (`client_id`) at one endpoint group; 0 turns it off. */
  perClient: number;
  /** Client addresses (IPs or CIDRs) no limit applies to. */
  exempt: string[];
}

export interface EdgeConfig {
  /**
   * Path every public route is served under (Keycloak's `--http-relative-path`), '' for the root;
   * it is part of the base URL, so of the issuer and the cookie paths, unless `--hostname` is a
   * full URL (which then names the public path itself, a proxy mapping it to this one).
   */
  httpRelativePath: string;
  /** The same for the management interface; by default the public one, as in Keycloak. */
  httpManagementRelativePath: string;
  /** Refuse to start without `--hostname` (production); off for `start-dev`. */
  hostnameStrict: boolean;
  /** Which forwarded headers to honour; unset: none (the connection is the client). */
  proxyHeaders?: ProxyHeaders;
  /** Proxies whose forwarded headers are honoured (IPs or CIDRs); empty: any peer. */
  proxyTrustedAddresses: string[];
  /** Port of the management interface (`/health/*`, `/metrics`). */
  httpManagementPort: number;
  healthEnabled: boolean;
  metricsEnabled: boolean;
  httpsPort: number;
  httpsCertificateFile?: string;
  httpsCertificateKeyFile?: string;
  rateLimit: RateLimitConfig;
  /** Seconds between SIGTERM (readiness turns DOWN) and closing the listeners, for load balancers to notice. */
  shutdownDelaySeconds: number;
  /** Where holdfast may connect for a client (`jwks.url`, back-channel logout): anywhere, or public addresses only. */
  outboundAddresses: 'any' | 'public';
}

export const EDGE_DEFAULTS = {
  httpManagementPort: 9000,
  httpsPort: 8443,
  rateLimit: { windowSeconds: 60, perIp: 3000, perClient: 30_000, exempt: ['127.0.0.0/8', '::1'] } satisfies RateLimitConfig,
};

type Reader = (name: ServerFlagName) => string | undefined;
type Integer = (name: string, raw: string, min: number, max: number) => number;
type Bool = (name: string, raw: string) => boolean;

/** `a,b/24, c` → ['a', 'b/24', 'c'], each an IP address or CIDR; `none` is the empty list. */
export function addressList(name: string, raw: string): string[] {
  if (raw.trim() === 'none') return [];
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = net.isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !validBits || extra !== undefined) throw new ConfigError(`--${name}: expected IP addresses or CIDRs separated by commas, got '${entry}'`);
  }
  return entries;
}

// Unreserved URL characters and slashes: a path needs no encoding, so it compares as typed.
const RELATIVE_PATH_SHAPE = /^(\/[A-Za-z0-9._~-]+)*\/?$/;

/** `/auth/` or `/auth` → '/auth'; `/` → ''. Refuses what would not be one plain path. */
export function relativePath(name: string, raw: string): string {
  const value = raw.trim();
  if (!value.startsWith('/') || !RELATIVE_PATH_SHAPE.test(value) || value.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new ConfigError(`--${name}: expected a path such as /auth (letters, digits, . _ ~ - between slashes), got '${raw}'`);
  }
  return value.replace(/\/+$/, '');
}

export function parseEdgeConfig(read: Reader, integer: Integer, bool: Bool, development: boolean): EdgeConfig {
  const httpRelativePath = relativePath('http-relative-path', read('http-relative-path') ?? '/');
  const managementPath = read('http-management-relative-path');
  const proxyHeaders = read('proxy-headers');
  if (proxyHeaders !== undefined && proxyHeaders !== 'forwarded' && proxyHeaders !== 'xforwarded') {
    throw new ConfigError(`--proxy-headers: expected forwarded or xforwarded, got '${proxyHeaders}'`);
  }
  const trusted = read('proxy-trusted-addresses');
  if (trusted !== undefined && proxyHeaders === undefined) throw new ConfigError('--proxy-trusted-addresses needs --proxy-headers forwarded|xforwarded');
  const certificate = read('https-certificate-file');
  const key = read('https-certificate-key-file');
  if ((certificate === undefined) !== (key === undefined)) throw new ConfigError('--https-certificate-file and --https-certificate-key-file go together');
  const limits = EDGE_DEFAULTS.rateLimit;
  const outbound = read('outbound-addresses') ?? 'any';
  if (outbound !== 'any' && outbound !== 'public') throw new ConfigError(`--outbound-addresses: expected any or public, got '${outbound}'`);
  return {
    httpRelativePath,
    httpManagementRelativePath: managementPath === undefined ? httpRelativePath : relativePath('http-management-relative-path', managementPath),
    hostnameStrict: bool('hostname-strict', read('hostname-strict') ?? String(!development)),
    proxyHeaders,
    proxyTrustedAddresses: trusted === undefined ? [] : addressList('proxy-trusted-addresses', trusted),
    httpManagementPort: integer('http-management-port', read('http-management-port') ?? String(EDGE_DEFAULTS.httpManagementPort), 0, 65535),
    healthEnabled: bool('health-enabled', read('health-enabled') ?? 'true'),
    metricsEnabled: bool('metrics-enabled', read('metrics-enabled') ?? 'true'),
    httpsPort: integer('https-port', read('https-port') ?? String(EDGE_DEFAULTS.httpsPort), 0, 65535),
    httpsCertificateFile: certificate,
    httpsCertificateKeyFile: key,
    rateLimit: {
      windowSeconds: integer('rate-limit-window', read('rate-limit-window') ?? String(limits.windowSeconds), 1, 86_400),
      perIp: integer('rate-limit-per-ip', read('rate-limit-per-ip') ?? String(limits.perIp), 0, 100_000_000),
      perClient: integer('rate-limit-per-client', read('rate-limit-per-client') ?? String(limits.perClient), 0, 100_000_000),
      exempt: addressList('rate-limit-exempt', read('rate-limit-exempt') ?? limits.exempt.join(',')),
    },
    shutdownDelaySeconds: integer('shutdown-delay', read('shutdown-delay') ?? '0', 0, 300),
    outboundAddresses: outbound,
  };
}

/**
 * What `start` and `start-dev` check beyond single flags. Keycloak's production rule: without
 * `--hostname` the Host header would decide the issuer and every URL holdfast prints, so `start`
 * refuses unless that was asked for explicitly. Listeners must not share a port.
 */
export function checkStartConfig(config: EdgeConfig & { hostname?: string; httpPort: number }): void {
  if (config.hostname === undefined && config.hostnameStrict) {
    throw new ConfigError('--hostname is required by `holdfast start` (or set --hostname-strict=false to take it from each request, or use `holdfast start-dev`)');
  }
  const ports: Array<[string, number]> = [['--http-port', config.httpPort]];
  if (config.httpsCertificateFile) ports.push(['--https-port', config.httpsPort]);
  if (config.healthEnabled || config.metricsEnabled) ports.push(['--http-management-port', config.httpManagementPort]);
  for (const [index, [flag, port]] of ports.entries()) {
    const clash = ports.slice(0, index).find(([, other]) => other === port && port !== 0);
    if (clash) throw new ConfigError(`${flag}: ${port} is already the ${clash[0]}`);
  }
}

/** Defaults for tests: no management or HTTPS listener ports of their own, limits as shipped. */
export function testEdgeConfig(): EdgeConfig {
  return {
    httpRelativePath: '',
    httpManagementRelativePath: '',
    hostnameStrict: false,
    proxyTrustedAddresses: [],
    httpManagementPort: 0,
    healthEnabled: true,
    metricsEnabled: true,
    httpsPort: 0,
    rateLimit: { ...EDGE_DEFAULTS.rateLimit },
    shutdownDelaySeconds: 0,
    outboundAddresses: 'any',
  };
}

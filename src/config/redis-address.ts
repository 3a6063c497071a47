/**
 * What `--sessions-url` names: one Redis/Valkey server (`redis://`, `rediss://`, `valkey://`),
 * or a master found through Sentinel (`redis+sentinel://[user:password@]host:port,host:port/<master>`),
 * the form for two sites where Sentinel promotes the other site's replica and every node follows
 * it. Parsed once at the edge so a URL holdfast cannot honour is refused at start, not on first use.
 */
import { ConfigError } from './config-error.ts';

export interface SentinelAddress {
  kind: 'sentinel';
  sentinels: Array<{ host: string; port: number }>;
  /** The master group's name in Sentinel (`sentinel monitor <name> …`). */
  masterName: string;
  /** Credentials of the master (and replicas); Sentinels are reached without them. */
  username?: string;
  password?: string;
}

export type RedisAddress = { kind: 'server'; url: string } | SentinelAddress;

const DEFAULT_SENTINEL_PORT = 26379;
/** More Sentinels than this is a typing mistake, not a deployment (Sentinel quorums are 3 or 5). */
const MAX_SENTINELS = 16;
const SENTINEL_SCHEME = 'redis+sentinel://';

function refuse(why: string): never {
  throw new ConfigError(`--sessions-url: ${why}`);
}

function sentinelHost(entry: string): { host: string; port: number } {
  // host, host:port, [v6], [v6]:port
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(entry);
  if (!match) refuse(`not a Sentinel host:port: '${entry}'`);
  const port = match[2] === undefined ? DEFAULT_SENTINEL_PORT : Number(match[2]);
  if (port < 1 || port > 65535) refuse(`Sentinel port out of range: '${entry}'`);
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

function parseSentinel(url: string): SentinelAddress {
  const rest = url.slice(SENTINEL_SCHEME.length);
  if (rest.includes('?') || rest.includes('#')) refuse('redis+sentinel:// takes no query or fragment (use --sessions-redis-wait-* for WAIT)');
  const at = rest.lastIndexOf('@');
  const userInfo = at >= 0 ? rest.slice(0, at) : undefined;
  const afterUser = at >= 0 ? rest.slice(at + 1) : rest;
  const slash = afterUser.indexOf('/');
  if (slash < 0) refuse('redis+sentinel:// needs the master name: redis+sentinel://host1:26379,host2:26379/<master>');
  const hosts = afterUser.slice(0, slash);
  const masterName = decodeURIComponent(afterUser.slice(slash + 1));
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(masterName)) refuse(`expected a master name of 1 to 64 of A-Z a-z 0-9 . _ -, got '${masterName}'`);
  const entries = hosts.split(',');
  if (hosts === '' || entries.length > MAX_SENTINELS) refuse(`expected 1 to ${MAX_SENTINELS} Sentinel hosts`);
  const address: SentinelAddress = { kind: 'sentinel', sentinels: entries.map(sentinelHost), masterName };
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    const username = decodeURIComponent(colon >= 0 ? userInfo.slice(0, colon) : userInfo);
    const password = colon >= 0 ? decodeURIComponent(userInfo.slice(colon + 1)) : undefined;
    if (username !== '') address.username = username;
    if (password !== undefined && password !== '') address.password = password;
  }
  return address;
}

export function parseRedisAddress(url: string): RedisAddress {
  if (url.startsWith(SENTINEL_SCHEME)) return parseSentinel(url);
  if (!/^(redis|rediss|valkey):\/\//.test(url)) refuse('expected redis://, rediss://, valkey:// or redis+sentinel://');
  return { kind: 'server', url: url.replace(/^valkey:/, 'redis:') };
}

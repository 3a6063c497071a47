/**
 * `--db-url` in libpq's multi-host form: `postgres://user@db-a:5432,db-b:5432/holdfast?target_session_attrs=read-write`.
 * The `pg` driver connects to one host only, so the URL is split here into one single-host URL
 * per server (tried in the order given: the local site's first) and the kind of server a node
 * accepts. holdfast writes on every connection, so it only accepts a server that takes writes:
 * `read-write` (the default, libpq's check `SHOW transaction_read_only`) or `primary` (also not in
 * recovery). Anything else would let a node send writes to a standby, and is refused.
 */
import { ConfigError } from './config-error.ts';

export type TargetSessionAttrs = 'read-write' | 'primary';

export interface PostgresServer {
  /** `host:port` as written, for messages. */
  name: string;
  /** A single-host URL the driver understands. */
  url: string;
}

export interface PostgresTarget {
  servers: PostgresServer[];
  targetSessionAttrs: TargetSessionAttrs;
}

const URL_SHAPE = /^(postgres(?:ql)?:\/\/)(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/;
/** An IPv6 literal in brackets, or a name/IPv4 address, then an optional port. */
const HOST_SHAPE = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]*)(?::(\d{1,5}))?$/;
/** More hosts than any deployment has; bounds the work of one failover scan. */
const MAX_HOSTS = 16;

export function parsePostgresUrl(url: string): PostgresTarget {
  const match = URL_SHAPE.exec(url);
  if (!match) throw new ConfigError('--db-url: expected postgres://[user[:password]@]host[:port][,host[:port]…][/database][?…]');
  const [, scheme, userInfo, hostList, pathPart = '', query = ''] = match;
  const params = new URLSearchParams(query.slice(1));
  const attrs = params.get('target_session_attrs') ?? 'read-write';
  if (attrs !== 'read-write' && attrs !== 'primary') {
    throw new ConfigError(`--db-url: target_session_attrs=${attrs} would let holdfast write to a read-only standby; use read-write (the default) or primary`);
  }
  params.delete('target_session_attrs');
  const rest = pathPart + (params.size > 0 ? `?${params.toString()}` : '');
  const hosts = hostList.split(',');
  if (hosts.length > MAX_HOSTS) throw new ConfigError(`--db-url: at most ${MAX_HOSTS} hosts, got ${hosts.length}`);
  const servers = hosts.map((host) => {
    const parts = HOST_SHAPE.exec(host);
    if (!parts || (hosts.length > 1 && parts[1] === '')) throw new ConfigError(`--db-url: '${host}' is not a host[:port]`);
    const port = parts[2] === undefined ? undefined : Number(parts[2]);
    if (port !== undefined && (port < 1 || port > 65535)) throw new ConfigError(`--db-url: port ${port} of '${host}' is out of range`);
    return { name: host === '' ? 'localhost' : host, url: `${scheme}${userInfo === undefined ? '' : `${userInfo}@`}${host}${rest}` };
  });
  return { servers, targetSessionAttrs: attrs };
}

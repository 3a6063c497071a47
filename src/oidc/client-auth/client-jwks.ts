/**
 * The public keys of `private_key_jwt` clients, from their attributes as Keycloak reads them:
 * `use.jwks.string` = true → `jwks.string`; else `use.jwks.url` = true → `jwks.url`, fetched and
 * cached; else the certificate `jwt.credential.certificate`. A URL is fetched with a timeout and
 * a size bound, cached per URL in a bounded LRU, and fetched again when a key id is missing (a
 * client that rotated its keys), at most once per `REFETCH_MS`, so an unknown `kid` sent in a loop
 * cannot make holdfast hammer the client's server.
 */
import { LRUCache } from 'lru-cache';
import type { AssertionKey } from '../../crypto/index.ts';
import type { Clock } from '../../clock/index.ts';
import type { Client } from '../../realm/types.ts';
import { outboundRequest, type OutboundAddresses } from '../../http/outbound.ts';

const CACHED_URLS = 1000;
const FRESH_MS = 10 * 60_000;
const REFETCH_MS = 10_000;
const FETCH_TIMEOUT_MS = 3000;
const MAX_JWKS_BYTES = 64 * 1024;

interface CachedJwks {
  keys: Array<Record<string, unknown>>;
  fetchedAt: number;
}

function keySet(value: unknown): Array<Record<string, unknown>> | undefined {
  const keys = (value as { keys?: unknown } | null)?.keys;
  return Array.isArray(keys) && keys.every((k) => k !== null && typeof k === 'object') ? (keys as Array<Record<string, unknown>>) : undefined;
}

function parseKeySet(text: string): Array<Record<string, unknown>> | undefined {
  try {
    return keySet(JSON.parse(text));
  } catch {
    return undefined;
  }
}

export class ClientKeys {
  private readonly cache = new LRUCache<string, CachedJwks>({ max: CACHED_URLS });
  private readonly inFlight = new Map<string, Promise<CachedJwks | undefined>>();

  constructor(
    private readonly clock: Clock,
    private readonly addresses: OutboundAddresses,
  ) {}

  /** The key material to check an assertion of `client` with `kid`, or undefined when it has none. */
  async keyOf(client: Client, kid: string | undefined): Promise<AssertionKey | undefined> {
    const attributes = client.attributes;
    if (attributes['use.jwks.string'] === 'true') {
      const keys = parseKeySet(attributes['jwks.string'] ?? '');
      return keys && { jwks: { keys } };
    }
    if (attributes['use.jwks.url'] === 'true') {
      const url = attributes['jwks.url'];
      if (!url) return undefined;
      const keys = await this.keySetAt(url, kid);
      return keys && { jwks: { keys } };
    }
    const certificate = attributes['jwt.credential.certificate'];
    return certificate ? { certificate } : undefined;
  }

  /**
   * The key set published at `url` (a client's `jwks.url`, an identity provider's `jwksUrl`),
   * cached and fetched again for an unknown `kid` within the bounds above.
   */
  async keySetAt(url: string, kid: string | undefined): Promise<Array<Record<string, unknown>> | undefined> {
    const now = this.clock.nowMs();
    const cached = this.cache.get(url);
    if (cached) {
      const age = now - cached.fetchedAt;
      const knowsKid = kid === undefined || cached.keys.some((k) => k.kid === kid);
      if (age < REFETCH_MS || (age < FRESH_MS && knowsKid)) return cached.keys;
    }
    const fetched = await this.fetchOnce(url);
    return (fetched ?? cached)?.keys;
  }

  /** Concurrent requests for one URL share one fetch. */
  private fetchOnce(url: string): Promise<CachedJwks | undefined> {
    const running = this.inFlight.get(url);
    if (running) return running;
    const fetching = this.fetchJwks(url).finally(() => this.inFlight.delete(url));
    this.inFlight.set(url, fetching);
    return fetching;
  }

  private async fetchJwks(url: string): Promise<CachedJwks | undefined> {
    try {
      const response = await outboundRequest(url, { method: 'GET', headers: { accept: 'application/json' }, timeoutMs: FETCH_TIMEOUT_MS, maxBytes: MAX_JWKS_BYTES, addresses: this.addresses });
      const keys = response.status === 200 && response.body !== undefined ? parseKeySet(response.body) : undefined;
      if (!keys) return undefined;
      const entry = { keys, fetchedAt: this.clock.nowMs() };
      this.cache.set(url, entry);
      return entry;
    } catch {
      return undefined;
    }
  }
}

/**
 * Per-client-address and per-client (`client_id`) request limits on the endpoints worth
 * flooding: token (with PAR), authorization, login form and the admin API, each group counted on its own
 * (`--rate-limit-per-ip`, `--rate-limit-per-client` per `--rate-limit-window` seconds). The
 * address is the resolved client address (trusted proxies, client-connection.ts); addresses in
 * `--rate-limit-exempt` (loopback by default: benchmarks, health probes, a proxy on the same host
 * without `--proxy-headers`) are never limited. The management port has no limits.
 *
 * Counters live in this node's memory (@fastify/rate-limit's bounded LRU), not in the store: a
 * limit here sheds load and slows guessing, it decides nothing about sessions, and a shared counter
 * would put a store round trip on every refresh. So with N nodes a client gets up to N times the
 * limit; brute-force detection, which must hold cluster-wide, is counted in the store.
 *
 * Over the limit: 429 with `Retry-After` (seconds), an OAuth body at the token and admin
 * endpoints, Keycloak's error page at the browser endpoints. The address is checked before the
 * body is read; the client, named by Basic auth, form or query `client_id`, once it is.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { RateLimitConfig } from '../config/index.ts';
import { ErrorPage, OAuthError } from '../errors/index.ts';
import { AddressRanges } from './address-ranges.ts';

type Group = 'token' | 'auth' | 'login' | 'admin';
type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

const TOO_MANY_REQUESTS = 'Too many requests';
/** Distinct addresses (and clients) each limiter remembers; the least recent is forgotten first. */
const TRACKED_KEYS = 10_000;

function groupOf(request: FastifyRequest): Group | undefined {
  const endpoint = request.routeOptions.config?.endpoint;
  if (endpoint === 'token' || endpoint === 'auth' || endpoint === 'login') return endpoint;
  // Pushed authorization requests are token-endpoint-like calls of the client's back end.
  if (endpoint === 'par') return 'token';
  // The device grant's endpoints count with their kin: the device's with the token endpoint, the person's with the login form.
  if (endpoint === 'device-authorization') return 'token';
  if (endpoint === 'device') return 'login';
  if (request.routeOptions.url?.startsWith('/admin/')) return 'admin';
  return undefined;
}

/** The client a request names, authenticated or not: that is what the per-client budget counts. */
function claimedClientId(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header && /^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    if (decoded.includes(':')) return decoded.slice(0, decoded.indexOf(':'));
  }
  if (request.body instanceof URLSearchParams) {
    const fromForm = request.body.get('client_id');
    if (fromForm) return fromForm;
  }
  const fromQuery = (request.query as Record<string, unknown> | undefined)?.client_id;
  return typeof fromQuery === 'string' && fromQuery !== '' ? fromQuery : undefined;
}

function refuse(group: Group, reply: FastifyReply, retryAfterSeconds: number): never {
  const retryAfter = String(Math.max(1, retryAfterSeconds));
  if (group === 'token' || group === 'admin') throw new OAuthError(429, 'temporarily_unavailable', TOO_MANY_REQUESTS, { 'retry-after': retryAfter });
  // The error page is sent with the headers already on the reply.
  reply.header('retry-after', retryAfter);
  throw new ErrorPage(429, 'Too many requests. Please wait a moment and try again.');
}

async function check(limiter: Limiter | undefined, group: Group, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!limiter) return;
  const outcome = await limiter(request);
  if (!outcome.isAllowed && outcome.isExceeded) refuse(group, reply, outcome.ttlInSeconds);
}

export async function registerRateLimits(app: FastifyInstance, config: RateLimitConfig): Promise<void> {
  if (config.perIp === 0 && config.perClient === 0) return;
  await app.register(rateLimit, { global: false });
  const exempt = new AddressRanges(config.exempt);
  const timeWindow = config.windowSeconds * 1000;
  const limiters = (max: number, keyGenerator: (request: FastifyRequest) => string): Record<Group, Limiter> | undefined => {
    if (max === 0) return undefined;
    // `cache` bounds each limiter's LRU (an option of the store the limiter creates).
    const options = { max, timeWindow, keyGenerator, cache: TRACKED_KEYS };
    return { token: app.createRateLimit(options), auth: app.createRateLimit(options), login: app.createRateLimit(options), admin: app.createRateLimit(options) };
  };
  const perIp = limiters(config.perIp, (request) => normalizeIP(request.clientConnection.address || 'unknown'));
  const perClient = limiters(config.perClient, (request) => {
    const realm = (request.params as { realm?: string }).realm ?? '';
    return `${realm}\u0000${claimedClientId(request) ?? ''}`.slice(0, 512);
  });

  app.addHook('onRequest', async (request, reply) => {
    const group = groupOf(request);
    if (group && !exempt.has(request.clientConnection.address)) await check(perIp?.[group], group, request, reply);
  });
  app.addHook('preHandler', async (request, reply) => {
    const group = groupOf(request);
    if (!group || exempt.has(request.clientConnection.address) || claimedClientId(request) === undefined) return;
    await check(perClient?.[group], group, request, reply);
  });
}

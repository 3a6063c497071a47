/**
 * Pushed authorization requests (RFC 9126) between the PAR endpoint and the authorization
 * endpoint: the parameters a client pushed, kept under a `request_uri`
 * (`urn:ietf:params:oauth:request_uri:<random>`) for the realm's `parRequestUriLifespan` seconds
 * (default 60), bound to that client. As in Keycloak 26, the authorization endpoint may read it
 * again (a reload of the login page) until a login completes with it: completing spends it, once
 * cluster-wide, and a second login racing with the same `request_uri` is refused at that point.
 * Another client naming it is refused and spends nothing. The records live in the session
 * store's ephemeral records, so a request pushed to one node is found on every node and after a
 * restart; the store keys them by the SHA-256 of the random part, so it never holds a usable
 * `request_uri`.
 */
import type { Context } from '../../context.ts';
import { newSecret, sha256Hex } from '../../crypto/index.ts';
import { invalidRequest } from '../../errors/index.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { Client } from '../../realm/types.ts';
import { RequestObjectRefused } from './request-object.ts';

export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
const DEFAULT_LIFESPAN_SECONDS = 60;
/** The store's bound on an ephemeral record's value. */
const MAX_RECORD_BYTES = 64 * 1024;
const RANDOM_PART = /^[A-Za-z0-9_-]{43}$/;

/** Keycloak tells a pushed request's URI from a request object's URL by this prefix, in any case. */
export const isPushedRequestUri = (requestUri: string): boolean => requestUri.toLowerCase().startsWith(REQUEST_URI_PREFIX);

/** Which pushed request a login came from, to spend it when the login completes. */
export interface PushedRequestRef {
  key: string;
  expiresAt: number;
}

export interface PushedRequest {
  /** The pushed parameters (a pushed request object's claims, or the known authorization parameters of the form). */
  params: Map<string, string>;
  /** True when they came from a request object: then they replace the authorization request's own parameters entirely. */
  fromRequestObject: boolean;
}

interface StoredPushedRequest {
  client: string;
  params: Record<string, string>;
  fromRequestObject: boolean;
  expiresAt: number;
}

/** The realm attribute `parRequestUriLifespan`, in seconds; Keycloak's default when unset or not a positive number. */
export function parRequestUriLifespan(realm: LoadedRealm): number {
  const value = Number(realm.realm.settings.attributes.parRequestUriLifespan);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_LIFESPAN_SECONDS;
}

const recordKey = (randomPart: string): string => `par-request:${sha256Hex(randomPart)}`;

/** Stores `pushed` for `client` and returns its `request_uri` and lifetime. */
export async function storePushedRequest(ctx: Context, realm: LoadedRealm, client: Client, pushed: PushedRequest): Promise<{ requestUri: string; expiresIn: number }> {
  const expiresIn = parRequestUriLifespan(realm);
  const now = ctx.sessions.now();
  const record: StoredPushedRequest = { client: client.id, params: Object.fromEntries(pushed.params), fromRequestObject: pushed.fromRequestObject, expiresAt: now + expiresIn };
  const value = JSON.stringify(record);
  if (Buffer.byteLength(value) > MAX_RECORD_BYTES) throw invalidRequest('Pushed authorization request is too large');
  const randomPart = newSecret(32);
  // 256 random bits: a key already taken is not a case to handle, only to refuse.
  if (!(await ctx.store.putEphemeral(recordKey(randomPart), value, record.expiresAt, now))) throw new Error('request_uri collision');
  return { requestUri: REQUEST_URI_PREFIX + randomPart, expiresIn };
}

const NOT_FOUND = 'PAR not found. not issued or used multiple times.';

function parseRecord(value: string): StoredPushedRequest | undefined {
  try {
    const record = JSON.parse(value) as StoredPushedRequest;
    return typeof record.client === 'string' && typeof record.expiresAt === 'number' && record.params !== null && typeof record.params === 'object' ? record : undefined;
  } catch {
    return undefined;
  }
}

/** The pushed request behind `requestUri` for `client`; throws RequestObjectRefused with Keycloak's reason otherwise. */
export async function readPushedRequest(ctx: Context, client: Client, requestUri: string): Promise<PushedRequest & { ref: PushedRequestRef }> {
  const randomPart = requestUri.slice(REQUEST_URI_PREFIX.length);
  if (!RANDOM_PART.test(randomPart)) throw new RequestObjectRefused(NOT_FOUND);
  const key = recordKey(randomPart);
  const value = await ctx.store.getEphemeral(key, ctx.sessions.now());
  const record = value === undefined ? undefined : parseRecord(value);
  if (!record) throw new RequestObjectRefused(NOT_FOUND);
  if (record.client !== client.id) throw new RequestObjectRefused("The client_id parameter doesn't match the one from OIDC 'request' or 'request_uri'");
  const params = new Map(Object.entries(record.params).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  return { params, fromRequestObject: record.fromRequestObject === true, ref: { key, expiresAt: record.expiresAt } };
}

const SPENT = 'spent';

/**
 * Spends the pushed request a completing login came from: its record becomes a marker that
 * outlives any login still in progress (`spentUntil`), so a second login with the same
 * `request_uri` is refused even after the request itself would have lapsed. False when another
 * login spent it first; a request that merely lapsed while the user logged in is no reason to fail.
 */
export async function spendPushedRequest(ctx: Context, ref: PushedRequestRef, spentUntil: number): Promise<boolean> {
  const now = ctx.sessions.now();
  const value = await ctx.store.getEphemeral(ref.key, now);
  if (value === undefined) return true;
  if (value === SPENT) return false;
  return ctx.store.replaceEphemeral(ref.key, value, SPENT, Math.max(spentUntil, ref.expiresAt), now);
}

/**
 * Pushed authorization requests (RFC 9126) between the PAR endpoint and the authorization
 * endpoint: the parameters a client pushed, kept under a `request_uri`
 * (`urn:ietf:params:oauth:request_uri:<random>`) for the realm's `parRequestUriLifespan` seconds
 * (default 60), bound to that client and used once. They live in the session store's ephemeral
 * records, so a request pushed to one node is found on every node and after a restart, and two
 * browsers racing with one `request_uri` cannot both get it. The store keys the record by the
 * SHA-256 of the random part, so the store never holds a usable `request_uri`.
 *
 * Another client's attempt to use a `request_uri` is refused without consuming it (Keycloak
 * consumes it first), so knowing a `request_uri` does not let anyone spend it.
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
}

/** The realm attribute `parRequestUriLifespan`, in seconds; Keycloak's default when unset or not a positive number. */
export function parRequestUriLifespan(realm: LoadedRealm): number {
  const value = Number(realm.realm.settings.attributes.parRequestUriLifespan);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_LIFESPAN_SECONDS;
}

const recordKey = (randomPart: string): string => `par-request:${sha256Hex(randomPart)}`;

/** Stores `pushed` for `client` and returns its `request_uri` and lifetime. */
export async function storePushedRequest(ctx: Context, realm: LoadedRealm, client: Client, pushed: PushedRequest): Promise<{ requestUri: string; expiresIn: number }> {
  const record: StoredPushedRequest = { client: client.id, params: Object.fromEntries(pushed.params), fromRequestObject: pushed.fromRequestObject };
  const value = JSON.stringify(record);
  if (Buffer.byteLength(value) > MAX_RECORD_BYTES) throw invalidRequest('Pushed authorization request is too large');
  const expiresIn = parRequestUriLifespan(realm);
  const now = ctx.sessions.now();
  const randomPart = newSecret(32);
  // 256 random bits: a key already taken is not a case to handle, only to refuse.
  if (!(await ctx.store.putEphemeral(recordKey(randomPart), value, now + expiresIn, now))) throw new Error('request_uri collision');
  return { requestUri: REQUEST_URI_PREFIX + randomPart, expiresIn };
}

const NOT_FOUND = 'PAR not found. not issued or used multiple times.';

function parseRecord(value: string): StoredPushedRequest | undefined {
  try {
    const record = JSON.parse(value) as StoredPushedRequest;
    return typeof record.client === 'string' && record.params !== null && typeof record.params === 'object' ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the pushed request behind `requestUri` for `client`, once; throws RequestObjectRefused with Keycloak's reason otherwise. */
export async function takePushedRequest(ctx: Context, client: Client, requestUri: string): Promise<PushedRequest> {
  const randomPart = requestUri.slice(REQUEST_URI_PREFIX.length);
  if (!RANDOM_PART.test(randomPart)) throw new RequestObjectRefused(NOT_FOUND);
  const key = recordKey(randomPart);
  const now = ctx.sessions.now();
  const seen = await ctx.store.getEphemeral(key, now);
  const peeked = seen === undefined ? undefined : parseRecord(seen);
  if (!peeked) throw new RequestObjectRefused(NOT_FOUND);
  if (peeked.client !== client.id) throw new RequestObjectRefused("The client_id parameter doesn't match the one from OIDC 'request' or 'request_uri'");
  const taken = await ctx.store.takeEphemeral(key, now);
  const record = taken === undefined ? undefined : parseRecord(taken);
  if (!record) throw new RequestObjectRefused(NOT_FOUND);
  return { params: new Map(Object.entries(record.params).filter((entry): entry is [string, string] => typeof entry[1] === 'string')), fromRequestObject: record.fromRequestObject === true };
}

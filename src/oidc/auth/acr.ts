/**
 * Requested authentication context (`acr_values`, and `acr` in the `claims` parameter) and the
 * `acr` claim, with Keycloak's `acr.loa.map` (client attribute, else realm attribute) naming
 * levels of authentication. holdfast has no step-up flows: a password login is level 1 and SSO
 * re-authentication level 0, and a session remembers no level, so a request that names an acr
 * cannot be served from the SSO cookie (Keycloak answers the same without step-up flows). An
 * essential acr that maps to no level cannot be met and is refused, as in Keycloak.
 */
import { ErrorPage } from '../../errors/index.ts';
import type { Form } from '../../http/form.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { Client } from '../../realm/types.ts';

export interface AcrRequest {
  /** Values of an essential `acr` claim: the token names one of them if the level allows. */
  essential: string[];
  /** Every requested value, essential or not, or the client's `default.acr.values`. */
  values: string[];
}

/** Level of a value that names none, when it is not essential (Keycloak's minimum level). */
const MINIMUM_LOA = 0;
const INVALID_CLAIMS = 'Invalid parameter: claims';

/** An `acr.loa.map` attribute: acr names to levels; undefined when absent, empty or unreadable. */
export function parseLoaMap(raw: string | undefined): Map<string, number> | undefined {
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const entries = Object.entries(parsed).filter((entry): entry is [string, number] => Number.isInteger(entry[1]));
    return entries.length > 0 ? new Map(entries) : undefined;
  } catch {
    return undefined;
  }
}

/** The client's `acr.loa.map`, else the realm's (an unreadable map counts as none, as in Keycloak). */
export function acrLoaMap(realm: LoadedRealm, client: Client): Map<string, number> {
  return parseLoaMap(client.attributes['acr.loa.map']) ?? parseLoaMap(realm.realm.settings.attributes['acr.loa.map']) ?? new Map();
}

/** The `acr` member of the ID token part of a `claims` parameter; anything unreadable is no request. */
function acrClaim(claims: string | undefined): { essential: boolean; values: string[] } | undefined {
  if (claims === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(claims);
  } catch {
    return undefined;
  }
  const acr = (parsed as { id_token?: { acr?: unknown } } | null)?.id_token?.acr;
  if (typeof acr !== 'object' || acr === null) return undefined;
  const { essential, values, value } = acr as { essential?: unknown; values?: unknown; value?: unknown };
  const list = Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];
  return { essential: essential === true, values: list };
}

function levelOf(acr: string, map: Map<string, number>): number | undefined {
  const mapped = map.get(acr);
  if (mapped !== undefined) return mapped;
  return /^-?\d{1,9}$/.test(acr) ? Number(acr) : undefined;
}

/** Drops values below the client's `minimum.acr.value` (or unmapped), leaving the minimum if none remain. */
function enforceMinimum(values: string[], client: Client, map: Map<string, number>): string[] {
  const minimum = client.attributes['minimum.acr.value'];
  const minimumLevel = minimum ? map.get(minimum) : undefined;
  if (minimum === undefined || minimumLevel === undefined) return values;
  const kept = values.filter((value) => {
    const level = map.get(value);
    return level !== undefined && level >= minimumLevel;
  });
  return kept.length > 0 ? kept : [minimum];
}

export function parseAcrRequest(realm: LoadedRealm, client: Client, params: Form): AcrRequest {
  const map = acrLoaMap(realm, client);
  const claim = acrClaim(params.get('claims'));
  const essential = claim?.essential ? claim.values : [];
  if (essential.length > 0) {
    const minimized = enforceMinimum(essential, client, map);
    if (minimized.length !== essential.length || minimized.some((v, i) => v !== essential[i])) throw new ErrorPage(400, INVALID_CLAIMS);
    if (essential.some((value) => levelOf(value, map) === undefined)) throw new ErrorPage(400, INVALID_CLAIMS);
  }
  const acrValues = params.get('acr_values');
  let values = [...(acrValues !== undefined ? acrValues.split(' ') : []), ...(claim?.values ?? [])];
  if (values.length === 0) values = (client.attributes['default.acr.values'] ?? '').split('##').filter((v) => v !== '');
  return { essential, values: enforceMinimum(values, client, map) };
}

/** The lowest level the request asks for, or undefined when it names no acr. */
export function requestedLevel(request: AcrRequest, realm: LoadedRealm, client: Client): number | undefined {
  const wanted = request.essential.length > 0 ? request.essential : request.values;
  if (wanted.length === 0) return undefined;
  const map = acrLoaMap(realm, client);
  return Math.min(...wanted.map((value) => levelOf(value, map) ?? MINIMUM_LOA));
}

/** The requested value of the highest level the login reached, if any reached one. */
function pick(level: number, map: Map<string, number>, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestLevel = -1;
  for (const candidate of candidates) {
    const candidateLevel = levelOf(candidate, map);
    if (candidateLevel !== undefined && candidateLevel > bestLevel && level >= candidateLevel) {
      best = candidate;
      bestLevel = candidateLevel;
    }
  }
  return best;
}

/**
 * The `acr` claim for a login that reached `level`: an essential value it meets, else a requested
 * one, else the map's name for the level, else the level itself — Keycloak's order.
 */
export function acrValue(level: number, request: AcrRequest | undefined, realm: LoadedRealm, client: Client): string {
  const map = acrLoaMap(realm, client);
  if (map.size === 0) return String(level);
  return pick(level, map, request?.essential ?? []) ?? pick(level, map, request?.values ?? []) ?? pick(level, map, map.keys()) ?? String(level);
}

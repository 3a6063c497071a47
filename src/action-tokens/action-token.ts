/**
 * Action tokens: the links in e-mails (execute actions, verify e-mail). Each is an HS512 JWT under
 * the realm's HMAC key, bound to one user and one action (`typ`), short-lived, and single use
 * cluster-wide and across restarts: issuing one stores a single-use record in the session store
 * (the store's atomic code consumption, which every backend implements and the contract suite
 * covers), and using it consumes that record, so a link works once on whichever node and after
 * any restart, and an expired record is swept with the codes.
 */
import type { Context } from '../context.ts';
import { newId, sha256Hex, signHmac, verifyJwt, type JwtClaims } from '../crypto/index.ts';
import type { LoadedRealm, RealmSettings } from '../realm/index.ts';

/** Keycloak's action-token types. `action-form` is holdfast's: the form shown after a link. */
export type ActionTokenType = 'execute-actions' | 'verify-email' | 'update-email' | 'reset-credentials' | 'idp-verify-account-via-email' | 'action-form';

export interface ActionTokenClaims {
  typ: ActionTokenType;
  sub: string;
  jti: string;
  iss: string;
  exp: number;
  iat: number;
  /** The OAuth client_id the user goes back to, and where (`rdu`, as Keycloak names it). */
  azp?: string;
  rdu?: string;
  /** Required actions still to do (execute-actions and its form). */
  reqac?: string[];
  /** The address a verify-email link confirms (an update-email link: the one it replaces); a changed address makes the link invalid. */
  eml?: string;
  /** Of an update-email link: the new address, set when the link is followed (Keycloak's claim name). */
  newEmail?: string;
  /** Of an idp-verify-account-via-email link: the login it belongs to (authentication session and tab) and the upstream account it links. */
  oasid?: string;
  tid?: string;
  idpAlias?: string;
  idpUserId?: string;
  /** Of a form token: the link it followed (a reset-credentials form records RESET_PASSWORD). */
  origin?: ActionTokenType;
}

export type ReadOutcome = { valid: true; claims: ActionTokenClaims } | { valid: false; reason: 'invalid' | 'expired' };

const recordKey = (jti: string) => sha256Hex(`action-token:${jti}`);

/**
 * A lifespan Keycloak's way: an admin-sent link lasts `lifespan` if given, else
 * `actionTokenGeneratedByAdminLifespan`; a user-asked one `actionTokenGeneratedByUserLifespan`,
 * or its per-action override in the realm attribute `actionTokenGeneratedByUserLifespan.<type>`.
 */
export function actionTokenLifespan(settings: RealmSettings, type: ActionTokenType, byAdmin: boolean, lifespan?: number): number {
  if (byAdmin) return lifespan ?? settings.actionTokenGeneratedByAdminLifespan;
  const override = Number(settings.attributes[`actionTokenGeneratedByUserLifespan.${type}`]);
  return Number.isSafeInteger(override) && override > 0 ? override : settings.actionTokenGeneratedByUserLifespan;
}

/** Signs a token and stores its single-use record; the record is durable before the link goes out. */
export async function issueActionToken(
  ctx: Context,
  realm: LoadedRealm,
  issuer: string,
  fields: Omit<ActionTokenClaims, 'jti' | 'iss' | 'exp' | 'iat'>,
  lifespanSeconds: number,
): Promise<{ token: string; claims: ActionTokenClaims }> {
  const now = ctx.sessions.now();
  const claims: ActionTokenClaims = { ...fields, jti: newId(), iss: issuer, iat: now, exp: now + lifespanSeconds };
  await ctx.store.putCode({
    codeHash: recordKey(claims.jti),
    realmId: realm.realm.id,
    clientUuid: '',
    userSessionId: '',
    redirectUri: '',
    scope: claims.typ,
    authTime: now,
    acr: '0',
    expiresAt: claims.exp,
  });
  return { token: await signHmac(claims as unknown as JwtClaims, realm.keys), claims };
}

/** Checks signature, issuer, type and expiry; changes nothing. */
export async function readActionToken(ctx: Context, realm: LoadedRealm, issuer: string, token: string, types: ActionTokenType[]): Promise<ReadOutcome> {
  let claims: JwtClaims;
  try {
    claims = await verifyJwt(token, realm.keys, 'hmac');
  } catch {
    return { valid: false, reason: 'invalid' };
  }
  const { typ, sub, jti, iss, exp } = claims;
  if (typeof typ !== 'string' || !(types as string[]).includes(typ) || typeof sub !== 'string' || typeof jti !== 'string' || iss !== issuer || typeof exp !== 'number') {
    return { valid: false, reason: 'invalid' };
  }
  if (ctx.sessions.now() > exp) return { valid: false, reason: 'expired' };
  return { valid: true, claims: claims as unknown as ActionTokenClaims };
}

/** Uses the token up; true for exactly one caller, ever, on any node. */
export async function consumeActionToken(ctx: Context, claims: ActionTokenClaims): Promise<boolean> {
  const consumption = await ctx.store.consumeCode(recordKey(claims.jti));
  return consumption.outcome === 'consumed' && consumption.code.scope === claims.typ;
}

/** An action token's e-mail link: `…/login-actions/action-token?key=…`, with the client (and login tab) it leads back to. */
export function actionTokenLink(issuer: string, token: string, back: { clientId?: string; tabId?: string } = {}): string {
  const query = new URLSearchParams({ key: token, ...(back.clientId ? { client_id: back.clientId } : {}), ...(back.tabId ? { tab_id: back.tabId } : {}) });
  return `${issuer}/login-actions/action-token?${query}`;
}

/**
 * UserInfo (`…/userinfo`, GET or POST, Bearer token, or a DPoP-bound token with the `DPoP`
 * scheme and its proof): `sub` plus the claims of the mappers with `userinfo.token.claim` among
 * the client's and the token's scopes' (the same resolved plan that issued the token). Failures
 * are 401 with a `WWW-Authenticate` challenge of the scheme the request used. A client with
 * `userinfo.token.signed.response.alg` gets them as a JWT (`application/jwt`) signed with the
 * realm's key of that algorithm, with `iss` and `aud` added, as Keycloak sends it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { OAuthError } from '../../errors/index.ts';
import { readParams } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { allowCors, registerPreflight } from '../../http/cors.ts';
import { claimPlanOf } from '../../realm/index.ts';
import { checkAccessToken, mapperInput, sessionNotes, userinfoClaims } from '../tokens/index.ts';
import { resourceBindingFailure, type PresentedToken } from '../dpop/index.ts';
import { ASYMMETRIC_SIGNATURE_ALGORITHMS, DPOP_SIGNING_ALGORITHMS, signAsymmetric } from '../../crypto/index.ts';

/** The client attribute asking for signed userinfo answers; absent or `unsigned` means JSON. */
export const USERINFO_SIGNING_ATTRIBUTE = 'userinfo.token.signed.response.alg';

/**
 * A quoted-string that is always a valid header value: a realm's name can be any Unicode, and
 * Node refuses to write most of it. `"` and `\` are escaped; other characters outside printable
 * ASCII are percent-encoded (UTF-8).
 */
function quoted(text: string): string {
  const escaped = text.replace(/["\\]|[^\x20-\x7e]/gu, (c) =>
    c === '"' || c === '\\' ? `\\${c}` : [...Buffer.from(c)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
  return `"${escaped}"`;
}

/** A `DPoP` challenge also names the proof algorithms (RFC 9449 §7.1), first, as Keycloak writes it. */
const DPOP_CHALLENGE = `DPoP algs="${DPOP_SIGNING_ALGORITHMS.join(' ')}", realm=`;

function bearerError(realm: string, error: string, description: string, scheme: PresentedToken['scheme'] = 'Bearer'): OAuthError {
  const challenge = `${scheme === 'DPoP' ? DPOP_CHALLENGE : 'Bearer realm='}${quoted(realm)}, error="${error}", error_description="${description.replace(/"/g, "'")}"`;
  return new OAuthError(401, error, description, { 'www-authenticate': challenge });
}

/** Both schemes are case-insensitive, as Keycloak 26.7 reads them. */
function presentedToken(request: FastifyRequest): PresentedToken | undefined {
  const header = request.headers.authorization;
  if (header && /^bearer /i.test(header)) return { token: header.slice(7).trim(), scheme: 'Bearer' };
  if (header && /^dpop /i.test(header)) return { token: header.slice(5).trim(), scheme: 'DPoP' };
  if (request.method === 'POST' && request.body instanceof URLSearchParams) {
    const token = readParams(request).get('access_token');
    return token ? { token, scheme: 'Bearer' } : undefined;
  }
  return undefined;
}

/** Keycloak 26.7's answer when a bound token comes without its proof, or a proof does not fit (the event says why). */
const BINDING_FAILED = 'Token verification failed';

export async function userinfoRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const path = '/realms/:realm/protocol/openid-connect/userinfo';
  registerPreflight(app, path, 'GET, POST, OPTIONS');
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    const { realm, issuer } = await resolveRealm(ctx, request);
    const name = realm.realm.name;
    const event = ctx.events.recorder.user(realm, 'USER_INFO_REQUEST', request).detail('auth_method', 'validate_access_token');
    const presented = presentedToken(request);
    const token = presented?.token;
    if (!presented || !token) {
      event.detail('reason', 'Token not provided').error('invalid_request');
      throw bearerError(name, 'invalid_request', 'Token not provided');
    }
    const check = await checkAccessToken(ctx, realm, issuer, token, { dpop: true });
    if (check.claims) allowCors(request, reply, realm.clientsByClientId.get(check.claims.azp));
    if (!check.valid) {
      event.client(check.claims?.azp).detail('reason', check.reason).error('invalid_token');
      throw bearerError(name, 'invalid_token', check.reason, presented.scheme);
    }
    const bindingFailure = await resourceBindingFailure(ctx, request, presented, check.claims, realm.clientsByClientId.get(check.claims.azp)!);
    if (bindingFailure !== undefined) {
      event.client(check.claims.azp).detail('reason', bindingFailure).error('invalid_token');
      throw bearerError(name, 'invalid_token', BINDING_FAILED, presented.scheme);
    }
    event.client(check.claims.azp).user(check.user.user.id).session(check.session?.id).detail('username', check.user.user.username).success();
    const client = realm.clientsByClientId.get(check.claims.azp)!;
    // The client's default scopes are in every plan; `scope` names the optional ones granted.
    const plan = claimPlanOf(realm, client, (check.claims.scope ?? '').split(' '));
    const input = mapperInput(realm, client, plan, check.user, check.claims.acr ?? '0', sessionNotes(check.session?.authTime, undefined, check.session?.notes));
    const claims = userinfoClaims(plan, input);
    const algorithm = client.attributes[USERINFO_SIGNING_ATTRIBUTE];
    if (algorithm === undefined || !ASYMMETRIC_SIGNATURE_ALGORITHMS.includes(algorithm)) return claims;
    reply.header('content-type', 'application/jwt');
    return signAsymmetric({ ...claims, iss: issuer, aud: client.clientId }, realm.keys, algorithm);
  };
  app.get(path, { config: { endpoint: 'userinfo' } }, handler);
  app.post(path, { config: { endpoint: 'userinfo' } }, handler);
}

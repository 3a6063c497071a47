/**
 * Keycloak's bounds on OIDC request parameters (OIDCProviderConfig): 4000 characters for an
 * ordinary parameter, 255 for `login_hint` (a username's or e-mail's limit), 20000 for one that
 * carries a token. Keycloak by default drops an over-long parameter; holdfast refuses the request
 * with Keycloak's fail-fast message (`additionalReqParamsFailFast`), since a dropped `state` or
 * `nonce` would fail at the client, far from the cause. Every parameter that is stored or echoed
 * back has a bound, so no request can make a large row or a large answer.
 */
import { ErrorPage } from '../errors/index.ts';
import type { Form } from '../http/form.ts';

export const MAX_PARAM_LENGTH = 4000;
export const MAX_LOGIN_HINT_LENGTH = 255;
export const MAX_TOKEN_PARAM_LENGTH = 20000;

/** Throws a 400 error page naming the first parameter longer than its bound. */
export function checkParamLengths(params: Form, bounds: Record<string, number>): void {
  for (const [name, max] of Object.entries(bounds)) {
    if ((params.get(name)?.length ?? 0) > max) throw new ErrorPage(400, `The size of OIDC parameter '${name}' is longer than allowed.`);
  }
}

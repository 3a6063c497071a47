/** `oidc-acr-mapper`: `acr`, `1` after a fresh login with credentials, `0` after SSO or refresh. */
import type { MapperType } from '../mapper-type.ts';

export const acrMapper: MapperType = {
  providerId: 'oidc-acr-mapper',
  priority: 0,
  kinds: ['access', 'lightweight', 'id', 'introspection'],
  compile() {
    return { write: ({ acr }, out) => void (out.claims.acr = acr) };
  },
};

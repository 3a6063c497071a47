/** `oidc-sub-mapper` (Keycloak 26's `basic` scope): `sub` in the access token. The ID token and userinfo always carry it. */
import { ACCESS_KINDS, type MapperType } from '../mapper-type.ts';

export const subMapper: MapperType = {
  providerId: 'oidc-sub-mapper',
  priority: -10,
  kinds: ACCESS_KINDS,
  compile() {
    return { write: ({ user }, out) => void (out.claims.sub = user.id) };
  },
};

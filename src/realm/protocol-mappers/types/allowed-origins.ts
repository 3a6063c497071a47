/** `oidc-allowed-origins-mapper`: `allowed-origins`, the client's web origins (`+` resolved), when it has any. */
import { allowedOrigins } from '../../redirect-uri.ts';
import { ACCESS_KINDS, type MapperType } from '../mapper-type.ts';

export const allowedOriginsMapper: MapperType = {
  providerId: 'oidc-allowed-origins-mapper',
  priority: 0,
  kinds: ACCESS_KINDS,
  compile() {
    return {
      write: ({ client }, out) => {
        if (client.webOrigins.length > 0) out.claims['allowed-origins'] = allowedOrigins(client);
      },
    };
  },
};

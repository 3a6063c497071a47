/** `oidc-audience-resolve-mapper`: every other client the token carries roles of joins `aud`, in clientId order. */
import { ACCESS_KINDS, type MapperType } from '../mapper-type.ts';

export const audienceResolveMapper: MapperType = {
  providerId: 'oidc-audience-resolve-mapper',
  priority: 30,
  kinds: ACCESS_KINDS,
  compile() {
    return {
      write: ({ roles, client }, out) => {
        for (const clientId of Object.keys(roles.clientRoles).sort()) {
          if (clientId !== client.clientId && roles.clientRoles[clientId].length > 0 && !out.audience.includes(clientId)) out.audience.push(clientId);
        }
      },
    };
  },
};

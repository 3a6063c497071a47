/** `oidc-audience-mapper`: adds a client (`included.client.audience`, by clientId) or any string (`included.custom.audience`) to `aud`. */
import type { MapperType } from '../mapper-type.ts';

export const audienceMapper: MapperType = {
  providerId: 'oidc-audience-mapper',
  priority: 0,
  kinds: ['access', 'lightweight', 'id', 'introspection'],
  compile(config) {
    const audience = config['included.client.audience'] || config['included.custom.audience'] || undefined;
    if (audience === undefined) return {};
    return { write: (_input, out) => void (out.audience.includes(audience) || out.audience.push(audience)) };
  },
};

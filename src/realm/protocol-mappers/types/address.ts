/**
 * `oidc-address-mapper`: the `address` claim (OIDC Core 5.1.1) from user attributes, each field
 * read from the attribute its `user.attribute.<field>` names (by default the field's own name).
 */
import { ALL_KINDS, type MapperType } from '../mapper-type.ts';

const FIELDS = ['formatted', 'street', 'locality', 'region', 'postal_code', 'country'] as const;

export const addressMapper: MapperType = {
  providerId: 'oidc-address-mapper',
  priority: 0,
  kinds: ALL_KINDS,
  compile(config) {
    const sources = FIELDS.map((f) => [f === 'street' ? 'street_address' : f, config[`user.attribute.${f}`] || f] as const);
    return {
      write: ({ user }, out) => {
        const address: Record<string, string> = {};
        for (const [claim, attribute] of sources) {
          const value = Object.hasOwn(user.attributes, attribute) ? user.attributes[attribute][0] : undefined;
          if (value !== undefined) address[claim] = value;
        }
        if (Object.keys(address).length > 0) out.claims.address = address;
      },
    };
  },
};

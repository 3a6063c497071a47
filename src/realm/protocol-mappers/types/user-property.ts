/** `oidc-usermodel-property-mapper`: a property of the user model (Keycloak's UserModel getters) as a claim. */
import type { User } from '../../types.ts';
import { claimWriter } from '../claim-writer.ts';
import { ALL_KINDS, type MapperType } from '../mapper-type.ts';

const PROPERTIES: Record<string, (user: User) => unknown> = {
  id: (u) => u.id,
  username: (u) => u.username,
  email: (u) => u.email,
  firstName: (u) => u.firstName,
  lastName: (u) => u.lastName,
  emailVerified: (u) => u.emailVerified,
  enabled: (u) => u.enabled,
  createdTimestamp: (u) => u.createdTimestamp,
};

export const userPropertyMapper: MapperType = {
  providerId: 'oidc-usermodel-property-mapper',
  priority: 0,
  kinds: ALL_KINDS,
  compile(config) {
    const name = config['user.attribute'] ?? '';
    const read = Object.hasOwn(PROPERTIES, name) ? PROPERTIES[name] : undefined;
    return claimWriter(config, (input) => {
      const value = read?.(input.user);
      return value === undefined ? [] : [value];
    });
  },
};

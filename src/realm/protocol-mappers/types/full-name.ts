/** `oidc-full-name-mapper`: `name`, the first and last name joined by a space, when either is set. */
import { claimWriter } from '../claim-writer.ts';
import { ALL_KINDS, type MapperType } from '../mapper-type.ts';

export const fullNameMapper: MapperType = {
  providerId: 'oidc-full-name-mapper',
  priority: 0,
  kinds: ALL_KINDS,
  compile(config) {
    return claimWriter(
      config,
      ({ user }) => {
        const name = [user.firstName, user.lastName].filter((p) => p).join(' ');
        return name === '' ? [] : [name];
      },
      { claimName: 'name', multivalued: false },
    );
  },
};

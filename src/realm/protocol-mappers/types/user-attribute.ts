/**
 * `oidc-usermodel-attribute-mapper`: a user attribute as a claim. `username`, `email`,
 * `firstName` and `lastName` are attributes too (Keycloak 26's user profile). A user without the
 * attribute gets it from their groups (nearest group first); `aggregate.attrs` with
 * `multivalued` joins the user's and every group's values.
 */
import { lineage } from '../../groups.ts';
import type { User } from '../../types.ts';
import { claimWriter } from '../claim-writer.ts';
import { configFlag } from '../mapper-model.ts';
import { ALL_KINDS, type MapperInput, type MapperType } from '../mapper-type.ts';

const PROFILE_FIELDS: Record<string, (user: User) => string | undefined> = {
  username: (u) => u.username,
  email: (u) => u.email,
  firstName: (u) => u.firstName,
  lastName: (u) => u.lastName,
};

function groupValues(input: MapperInput, name: string, all: boolean): string[] {
  const values: string[] = [];
  for (const id of input.groupIds) {
    const group = input.realm.groupsById.get(id);
    if (!group) continue;
    for (const g of lineage(input.realm, group)) {
      const found = Object.hasOwn(g.attributes, name) ? g.attributes[name] : undefined;
      if (!found) continue;
      for (const v of found) if (!values.includes(v)) values.push(v);
      if (!all) return values;
    }
  }
  return values;
}

export const userAttributeMapper: MapperType = {
  providerId: 'oidc-usermodel-attribute-mapper',
  priority: 0,
  kinds: ALL_KINDS,
  compile(config) {
    const name = config['user.attribute'] ?? '';
    const field = Object.hasOwn(PROFILE_FIELDS, name) ? PROFILE_FIELDS[name] : undefined;
    const aggregate = configFlag(config, 'aggregate.attrs') && configFlag(config, 'multivalued');
    return claimWriter(config, (input) => {
      if (field) {
        const value = field(input.user);
        return value === undefined ? [] : [value];
      }
      const own = Object.hasOwn(input.user.attributes, name) ? input.user.attributes[name] : [];
      if (aggregate) return [...own, ...groupValues(input, name, true).filter((v) => !own.includes(v))];
      return own.length > 0 ? own : groupValues(input, name, false);
    });
  },
};

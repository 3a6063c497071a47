/** `oidc-group-membership-mapper`: the user's groups (direct memberships), by path (`full.path`, the default) or name, as an array. */
import { groupPath } from '../../groups.ts';
import { claimWriter } from '../claim-writer.ts';
import { configFlag } from '../mapper-model.ts';
import { ALL_KINDS, type MapperType } from '../mapper-type.ts';

export const groupMembershipMapper: MapperType = {
  providerId: 'oidc-group-membership-mapper',
  priority: 0,
  kinds: ALL_KINDS,
  compile(config) {
    const fullPath = configFlag(config, 'full.path', true);
    return claimWriter(
      config,
      ({ realm, groupIds }) =>
        groupIds
          .flatMap((id) => realm.groupsById.get(id) ?? [])
          .map((g) => (fullPath ? groupPath(realm, g) : g.name))
          .sort(),
      { multivalued: true },
    );
  },
};

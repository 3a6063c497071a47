/** `oidc-hardcoded-claim-mapper`: `claim.value` at `claim.name`, converted by `jsonType.label`. */
import { claimWriter } from '../claim-writer.ts';
import { ALL_KINDS, type MapperType } from '../mapper-type.ts';

export const hardcodedClaimMapper: MapperType = {
  providerId: 'oidc-hardcoded-claim-mapper',
  priority: 0,
  kinds: [...ALL_KINDS, 'response'],
  compile(config) {
    const value = config['claim.value'];
    const values = value === undefined ? [] : [value];
    return claimWriter(config, () => values, { multivalued: false });
  },
};

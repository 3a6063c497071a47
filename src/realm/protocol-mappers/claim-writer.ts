/**
 * The common shape of most mapper types: find some values for the user, write them at
 * `claim.name` with `jsonType.label` and `multivalued` (claim-path.ts). Config is read once.
 */
import { configFlag } from './mapper-model.ts';
import { jsonTypeOf, setClaim, splitClaimPath } from './claim-path.ts';
import type { CompiledMapper, MapperInput } from './mapper-type.ts';

export function claimWriter(config: Readonly<Record<string, string>>, values: (input: MapperInput) => readonly unknown[], options: { claimName?: string; multivalued?: boolean } = {}): CompiledMapper {
  const path = splitClaimPath(options.claimName ?? config['claim.name'] ?? '');
  const type = jsonTypeOf(config['jsonType.label']);
  const multivalued = options.multivalued ?? configFlag(config, 'multivalued');
  if (path.length === 0) return {};
  return { write: (input, out) => setClaim(out.claims, path, values(input), type, multivalued) };
}

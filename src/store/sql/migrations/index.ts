/** Every migration, in order. Names sort lexically; never rename or edit a landed one. */
import type { Migration } from 'kysely';
import * as initial from './001-initial.ts';
import * as groups from './002-groups.ts';

export const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-groups': groups,
};

/**
 * The key providers of a realm file (`components` → `org.keycloak.keys.KeyProvider`), as
 * Keycloak exports them: with their key material (a full export: `privateKey`, `certificate`,
 * `secret`, `kid`), which is kept so that tokens signed before the move still verify, or
 * without it (a partial export, a hand-written file), in which case the key is generated as the
 * admin API would. A file without key providers keeps the new realm's generated keys. Held to
 * the admin API's rules (key-providers.ts); a problem names its JSON path.
 */
import type { StoredKey } from '../../crypto/index.ts';
import type { Realm } from '../../realm/index.ts';
import { field, index, ShapeError } from '../json-shape.ts';
import { KEY_PROVIDER_TYPE, KeyProviderProblem, planKeyProvider, type ComponentRepresentation } from '../components/key-providers.ts';
import { ImportConflict } from './import-conflict.ts';

/** The file's key providers as stored keys, or undefined when it has none. */
export async function planKeyComponents(components: Record<string, ComponentRepresentation[]> | undefined, realm: Realm, nowMs: number): Promise<StoredKey[] | undefined> {
  const reps = components?.[KEY_PROVIDER_TYPE];
  if (reps === undefined || reps.length === 0) return undefined;
  const keys: StoredKey[] = [];
  const kids = new Set<string>();
  const ids = new Set<string>();
  for (let i = 0; i < reps.length; i++) {
    const path = index(field('components', KEY_PROVIDER_TYPE), i);
    let key: StoredKey;
    try {
      key = await planKeyProvider(reps[i], { realm, nowMs, source: 'file' });
    } catch (error) {
      if (error instanceof KeyProviderProblem) throw new ShapeError(path, error.message);
      throw error;
    }
    if (kids.has(key.kid)) throw new ImportConflict(path, `duplicate key kid '${key.kid}'`);
    if (ids.has(key.component!.id)) throw new ImportConflict(field(path, 'id'), `duplicate component id '${key.component!.id}'`);
    kids.add(key.kid);
    ids.add(key.component!.id);
    keys.push(key);
  }
  return keys;
}

/**
 * Key providers as a component type: each component is one row of realm_key (its key and the
 * component's settings together), written in one transaction under the realm lock and then
 * announced, so every node loads the new signing choice at once. A realm left without an
 * active key of an algorithm it signs with gets Keycloak's fallback key at its next load
 * (src/realm/realm-keys.ts). An `rsa` provider brings a private key the caller knows, so it
 * needs every admin role of the realm (role-grants.ts).
 */
import type { Context } from '../../context.ts';
import { adminBadRequest, adminConflict } from '../../errors/index.ts';
import type { StoredKey } from '../../crypto/index.ts';
import type { LoadedRealm, RealmRepository } from '../../realm/index.ts';
import type { AdminScope } from '../admin-request.ts';
import { isUniqueViolation } from '../realm-file/import-conflict.ts';
import { requireAllAdminPower } from '../role-grants.ts';
import type { ComponentType, ComponentView } from './component-types.ts';
import { KEY_PROVIDER_TYPE, KeyProviderProblem, planKeyProvider, toComponentRepresentation, type ComponentRepresentation } from './key-providers.ts';

async function plan(ctx: Context, { identity, realm }: AdminScope, rep: ComponentRepresentation, existing?: StoredKey): Promise<StoredKey> {
  let key: StoredKey;
  try {
    key = await planKeyProvider(rep, { realm: realm.realm, nowMs: ctx.clock.nowMs(), source: 'admin' }, existing);
  } catch (error) {
    if (error instanceof KeyProviderProblem) throw adminBadRequest(error.message);
    throw error;
  }
  if (key.component!.providerId === 'rsa' && key.kid !== existing?.kid) requireAllAdminPower(identity, realm);
  return key;
}

async function write(ctx: Context, realm: LoadedRealm, work: (tx: RealmRepository, keys: StoredKey[]) => Promise<boolean>): Promise<boolean> {
  let done: boolean;
  try {
    done = await ctx.realms.repository.transaction(async (tx) => {
      await tx.lockRealm(realm.realm.id);
      return work(tx, await tx.listKeys(realm.realm.id));
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw adminConflict('A key with the same kid or component id already exists');
    throw error;
  }
  if (done) await ctx.realms.realmChanged(realm.realm.id);
  return done;
}

const byComponent = (keys: StoredKey[], id: string) => keys.find((k) => k.component?.id === id);

export const keyProviderType: ComponentType = {
  providerType: KEY_PROVIDER_TYPE,
  async list(ctx, realm) {
    const keys = await ctx.realms.repository.listKeys(realm.realm.id);
    return keys.filter((k) => k.component).map((k) => toComponentRepresentation(k) as unknown as ComponentView);
  },
  async create(ctx, scope, rep) {
    const { realm } = scope;
    const key = await plan(ctx, scope, rep);
    await write(ctx, realm, async (tx, keys) => {
      if (byComponent(keys, key.component!.id)) throw adminConflict(`A component with id '${key.component!.id}' already exists`);
      await tx.addKeys([key]);
      return true;
    });
    return key.component!.id;
  },
  async update(ctx, scope, id, rep) {
    const { realm } = scope;
    const existing = byComponent(await ctx.realms.repository.listKeys(realm.realm.id), id);
    if (!existing) return false;
    const key = await plan(ctx, scope, { ...rep, id }, existing);
    return write(ctx, realm, async (tx, keys) => {
      // Changed meanwhile by another request: refuse rather than overwrite what it did.
      if (byComponent(keys, id)?.kid !== existing.kid) throw adminConflict('The component was changed meanwhile; read it again');
      await tx.updateKey(existing.kid, key);
      return true;
    });
  },
  async remove(ctx, { realm }, id) {
    return write(ctx, realm, async (tx, keys) => {
      const existing = byComponent(keys, id);
      if (!existing) return false;
      await tx.deleteKey(realm.realm.id, existing.kid);
      return true;
    });
  },
};

/**
 * Importing a realm from Keycloak's RealmRepresentation: the one code path behind
 * `POST /admin/realms`, `holdfast import` and `start --import-realm`. The whole file is checked
 * and planned in memory first; then everything is written in one transaction with multi-row
 * inserts, so a broken file leaves the store untouched and 100,000 users take seconds.
 */
import type { NewUserRecord, Realm, RealmRepository } from '../../realm/index.ts';
import { parsePasswordPolicy } from '../../authn/index.ts';
import type { HashChoice } from '../../crypto/index.ts';
import { parseShape } from '../json-shape.ts';
import { hashPlainPassword, type PlainPassword } from '../representations/credential.ts';
import { ImportConflict, isUniqueViolation, REALM_EXISTS } from './import-conflict.ts';
import { planRealm } from './plan-realm.ts';
import { planUserProfile, USER_PROFILE_PROVIDER_TYPE } from './plan-user-profile.ts';
import { planUsers } from './plan-users.ts';
import { planIdentityProviders, runnableIdentityProviders } from './plan-identity-providers.ts';
import { LossyImport, lossyParts, type Finding } from './lossy-parts.ts';
import { realmFileRepresentation } from './realm-file-shape.ts';
import { withoutUnsupportedMappers } from './unsupported-mappers.ts';

export interface ImportProgress {
  /** Users written so far, of `total`. */
  done: number;
  total: number;
}

export interface ImportOptions {
  nowMs: number;
  /** What to do when a realm of that name exists: fail (409), replace it, or skip the file. */
  ifExists?: 'fail' | 'replace' | 'skip';
  /** Import even what holdfast cannot honour (the operator's `--allow-lossy-import`); it is listed in the outcome. */
  allowLossy?: boolean;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportOutcome {
  realm: Realm;
  outcome: 'imported' | 'skipped';
  users: number;
  /** Security-relevant parts not honoured, imported only because the operator allowed it. */
  notHonoured: Finding[];
  /** Harmless parts holdfast does not use. */
  ignored: Finding[];
}

/** Users per `createUsers` call: each call is a few multi-row statements and one progress tick. */
const USERS_PER_STEP = 5_000;

export async function importRealm(repository: RealmRepository, input: unknown, options: ImportOptions): Promise<ImportOutcome> {
  const rep = parseShape(realmFileRepresentation, input, 'realm representation');
  const ifExists = options.ifExists ?? 'fail';
  // Answered before the costly planning (keys, users); checked again inside the transaction.
  const existing = rep.realm === undefined || ifExists === 'replace' ? undefined : await repository.findRealmByName(rep.realm);
  if (existing && ifExists === 'skip') return { realm: existing, outcome: 'skipped', users: 0, notHonoured: [], ignored: [] };
  if (existing) throw new ImportConflict('', REALM_EXISTS);
  // The shape check passed, so the file is an object; the parts it dropped are judged on the original.
  const parts = lossyParts(input as Record<string, unknown>);
  if (parts.refused.length > 0 && options.allowLossy !== true) throw new LossyImport(parts);
  const plan = await planRealm(options.allowLossy === true ? withoutUnsupportedMappers(rep) : rep, options.nowMs);
  const [providerReps, providerMapperReps] = options.allowLossy === true ? runnableIdentityProviders(rep.identityProviders ?? [], rep.identityProviderMappers ?? []) : [rep.identityProviders ?? [], rep.identityProviderMappers ?? []];
  const brokering = planIdentityProviders(providerReps, providerMapperReps, plan.realm, plan.sealKey);
  const users = planUsers(rep.users ?? [], plan, options.nowMs, new Set(brokering.providers.map((p) => p.alias)));
  const userProfile = planUserProfile(plan.realm.name, rep.components?.[USER_PROFILE_PROVIDER_TYPE], rep.users ?? []);
  // Clear-text passwords are hashed as the realm's policy says (`hashAlgorithm`, `hashIterations`), as Keycloak does.
  await hashPlainPasswords(users.plain, parsePasswordPolicy(plan.realm.settings.passwordPolicy).hash);

  const total = users.records.length;
  options.onProgress?.({ done: 0, total });
  try {
    await repository.transaction(async (tx) => {
      const current = await tx.findRealmByName(plan.realm.name);
      if (current && ifExists !== 'replace') throw new ImportConflict('', REALM_EXISTS);
      if (current) await tx.deleteRealm(current.id);
      if (await tx.findRealmById(plan.realm.id)) throw new ImportConflict('id', `a realm with id '${plan.realm.id}' already exists`);
      await tx.createRealm(plan.realm);
      await tx.addKeys(plan.keys);
      if (userProfile.profile) await tx.setUserProfile(plan.realm.id, userProfile.profile);
      await tx.createClientScopes(plan.clientScopes);
      for (const client of plan.clients) await tx.createClient(client);
      for (const role of plan.roles) await tx.createRole(role);
      await tx.createGroups(plan.groups);
      for (const provider of brokering.providers) await tx.createIdentityProvider(provider);
      await tx.createIdentityProviderMappers(brokering.mappers);
      for (const [locale, texts] of Object.entries(rep.localizationTexts ?? {})) await tx.putLocalizationTexts(plan.realm.id, locale, texts);
      for (const client of plan.clients) await tx.addScopeMappings({ client: client.id }, client.scopeMappings);
      for (const scope of plan.clientScopes) await tx.addScopeMappings({ clientScope: scope.id }, scope.scopeMappings);
      for (let done = 0; done < total; ) {
        const step = users.records.slice(done, done + USERS_PER_STEP);
        await tx.createUsers(step);
        done += step.length;
        options.onProgress?.({ done, total });
      }
    });
  } catch (error) {
    // Ids in a file can collide with another realm's (the same export imported twice under two names).
    if (isUniqueViolation(error)) throw new ImportConflict('', `Conflict detected: an id in the file is already used (${error.message})`);
    throw error;
  }
  const ignored = [...parts.ignored, ...userProfile.warnings.map((reason) => ({ path: 'components', reason }))];
  return { realm: plan.realm, outcome: 'imported', users: total, notHonoured: parts.refused, ignored };
}

/** Argon2 is deliberately slow: a few at a time keeps the event loop and memory in check. */
export async function hashPlainPasswords(pending: Array<{ record: NewUserRecord; password: PlainPassword }>, choice: HashChoice): Promise<void> {
  const workers = Array.from({ length: Math.min(4, pending.length) }, async (_, worker) => {
    for (let i = worker; i < pending.length; i += 4) {
      const { record, password } = pending[i];
      record.credentials.push(await hashPlainPassword(password, choice));
    }
  });
  await Promise.all(workers);
}

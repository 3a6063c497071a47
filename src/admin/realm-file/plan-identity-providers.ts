/**
 * Turns a realm file's `identityProviders` and `identityProviderMappers` into rows to write, with
 * the admin API's checks (a known provider kind, URLs, sync modes, known mapper types) and the
 * JSON path of whatever is wrong; the client secret is sealed with the new realm's AES key. A
 * mapper of a provider the file does not have refuses the file, as does a duplicate alias.
 */
import { MAPPER_TYPES_BY_ID, PROVIDER_KINDS } from '../../broker/index.ts';
import type { IdentityProvider, IdentityProviderMapper, Realm } from '../../realm/index.ts';
import { field, index, ShapeError } from '../json-shape.ts';
import { newIdentityProvider, newIdentityProviderMapper, type IdentityProviderMapperRepresentation, type IdentityProviderRepresentation } from '../representations/identity-provider.ts';
import { ImportConflict } from './import-conflict.ts';

export interface IdentityProvidersPlan {
  providers: IdentityProvider[];
  mappers: IdentityProviderMapper[];
}

/**
 * The file without the providers and mappers holdfast cannot run (an import with `allowLossy`,
 * after lossy-parts listed them): unknown provider kinds go with their mappers.
 */
export function runnableIdentityProviders(
  providers: IdentityProviderRepresentation[],
  mappers: IdentityProviderMapperRepresentation[],
): [IdentityProviderRepresentation[], IdentityProviderMapperRepresentation[]] {
  const kept = providers.filter((p) => PROVIDER_KINDS.has(p.providerId ?? ''));
  const aliases = new Set(kept.map((p) => p.alias));
  return [kept, mappers.filter((m) => aliases.has(m.identityProviderAlias) && MAPPER_TYPES_BY_ID.has(m.identityProviderMapper ?? ''))];
}

const problem = (message: string, path: string) => new ShapeError(path, message);

export function planIdentityProviders(
  providerReps: IdentityProviderRepresentation[],
  mapperReps: IdentityProviderMapperRepresentation[],
  realm: Realm,
  sealKey: Buffer,
): IdentityProvidersPlan {
  const providers: IdentityProvider[] = [];
  const aliases = new Set<string>();
  providerReps.forEach((rep, i) => {
    const path = index('identityProviders', i);
    const provider = newIdentityProvider(rep, realm.id, realm.settings.sslRequired, sealKey, problem, path);
    if (aliases.has(provider.alias)) throw new ImportConflict(field(path, 'alias'), `duplicate identity provider alias '${provider.alias}'`);
    aliases.add(provider.alias);
    providers.push(provider);
  });
  const ids = new Set<string>();
  const mappers = mapperReps.map((rep, i) => {
    const path = index('identityProviderMappers', i);
    const alias = rep.identityProviderAlias;
    if (alias === undefined || !aliases.has(alias)) throw new ShapeError(field(path, 'identityProviderAlias'), `unknown identity provider '${alias ?? ''}'`);
    const mapper = newIdentityProviderMapper(rep, realm.id, alias, problem, path);
    if (ids.has(mapper.id)) throw new ImportConflict(field(path, 'id'), `duplicate mapper id '${mapper.id}'`);
    ids.add(mapper.id);
    return mapper;
  });
  return { providers, mappers };
}

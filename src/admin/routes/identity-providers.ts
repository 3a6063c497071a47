/**
 * `/identity-provider/…` of a realm, as Keycloak's IdentityProvidersResource and
 * IdentityProviderResource have them: `instances` (list with `search`/`first`/`max`/
 * `briefRepresentation`, create, read, update, delete), `providers/{id}`, `import-config` (a
 * discovery URL read into config), and each provider's `mappers` and `mapper-types`. Reading
 * needs view-identity-providers, writing manage-identity-providers. Writes re-read the stored
 * providers inside one transaction under the realm lock, so two concurrent creates of one alias
 * cannot both succeed; every write tells the realm cache. Deleting a provider removes its users'
 * links and ends the sessions logged in through it, as Keycloak stops accepting them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { DiscoveryFailed, configFromDiscovery, fetchDiscovery, mapperTypesFor, PROVIDER_KINDS } from '../../broker/index.ts';
import { AdminError, adminBadRequest, adminConflict } from '../../errors/index.ts';
import type { IdentityProvider, LoadedRealm, RealmRepository } from '../../realm/index.ts';
import { adminScope, location, paging, queryBoolean, queryString, readBody } from '../admin-request.ts';
import { object, string } from '../json-shape.ts';
import { endBrokeredSessions } from '../realm-sessions.ts';
import { realmUrl } from '../../http/base-url.ts';
import {
  identityProviderMapperRepresentation,
  identityProviderRepresentation,
  newIdentityProvider,
  newIdentityProviderMapper,
  toIdentityProviderMapperRepresentation,
  toIdentityProviderRepresentation,
} from '../representations/identity-provider.ts';

const problem = (message: string, path: string) => adminBadRequest(message, path === '' ? undefined : path);
const notFound = () => new AdminError(404, { error: 'HTTP 404 Not Found' });
const aliasOf = (request: FastifyRequest) => (request.params as { alias: string }).alias;
const importConfigBody = object({ fromUrl: string, providerId: string });

function findProvider(realm: LoadedRealm, alias: string): IdentityProvider {
  const provider = realm.identityProviders.get(alias);
  if (!provider) throw notFound();
  return provider;
}

/** The stored provider inside a write's transaction (another node may have changed it). */
async function storedProvider(tx: RealmRepository, realmId: string, alias: string): Promise<IdentityProvider> {
  const provider = (await tx.listIdentityProviders(realmId)).find((p) => p.alias === alias);
  if (!provider) throw notFound();
  return provider;
}

/** Keycloak's `search`: infix and case-insensitive, `*` as a wildcard, `"…"` whole. */
function aliasMatcher(search: string | undefined): (alias: string) => boolean {
  if (search === undefined || search === '' || search === '*') return () => true;
  if (search.length > 1 && search.startsWith('"') && search.endsWith('"')) {
    const whole = search.slice(1, -1);
    return (alias) => alias === whole;
  }
  const pattern = new RegExp(search.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*'), 'i');
  return (alias) => pattern.test(alias);
}

export async function identityProviderRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const base = '/admin/realms/:realm/identity-provider';

  app.get(`${base}/instances`, async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-identity-providers');
    const matches = aliasMatcher(queryString(request, 'search'));
    const brief = queryBoolean(request, 'briefRepresentation') ?? false;
    const { first, max } = paging(request, 100);
    const all = [...realm.identityProviders.values()].filter((p) => matches(p.alias)).sort((a, b) => a.alias.localeCompare(b.alias));
    return all.slice(first, first + max).map((p) => toIdentityProviderRepresentation(p, brief));
  });

  app.post(`${base}/instances`, async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-identity-providers');
    const provider = newIdentityProvider(readBody(request, identityProviderRepresentation), realm.realm.id, realm.realm.settings.sslRequired, realm.keys.sealKey, problem, '', undefined, { refuseUnhonoured: true });
    await ctx.realms.repository.transaction(async (tx) => {
      await tx.lockRealm(realm.realm.id);
      if ((await tx.listIdentityProviders(realm.realm.id)).some((p) => p.alias === provider.alias)) throw adminConflict(`Identity Provider ${provider.alias} already exists`);
      await tx.createIdentityProvider(provider);
    });
    await ctx.realms.realmChanged(realm.realm.id);
    return reply.code(201).header('location', location(ctx, request, realm.realm.name, 'identity-provider', 'instances', provider.alias)).send();
  });

  app.get(`${base}/instances/:alias`, async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-identity-providers');
    return toIdentityProviderRepresentation(findProvider(realm, aliasOf(request)));
  });

  app.put(`${base}/instances/:alias`, async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-identity-providers');
    const rep = readBody(request, identityProviderRepresentation);
    await ctx.realms.repository.transaction(async (tx) => {
      await tx.lockRealm(realm.realm.id);
      const existing = await storedProvider(tx, realm.realm.id, aliasOf(request));
      const provider = newIdentityProvider(rep, realm.realm.id, realm.realm.settings.sslRequired, realm.keys.sealKey, problem, '', existing, { refuseUnhonoured: true });
      if (provider.providerId !== existing.providerId) throw problem('The providerId of an identity provider cannot change', 'providerId');
      if (provider.alias !== existing.alias && (await tx.listIdentityProviders(realm.realm.id)).some((p) => p.alias === provider.alias)) throw adminConflict(`Identity Provider ${provider.alias} already exists`);
      await tx.updateIdentityProvider(provider);
    });
    await ctx.realms.realmChanged(realm.realm.id);
    return reply.code(204).send();
  });

  app.delete(`${base}/instances/:alias`, async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-identity-providers');
    const provider = findProvider(realm, aliasOf(request));
    const linkedUsers = await ctx.realms.repository.userIdsLinkedTo(realm.realm.id, provider.alias);
    await ctx.realms.repository.transaction((tx) => tx.deleteIdentityProvider(realm.realm.id, provider.alias));
    await ctx.realms.realmChanged(realm.realm.id);
    await endBrokeredSessions(ctx, realm, realmUrl(request, ctx.config, realm.realm.name), provider.alias, linkedUsers);
    for (const userId of linkedUsers) await ctx.realms.userChanged(userId);
    return reply.code(204).send();
  });

  app.get(`${base}/providers/:providerId`, async (request) => {
    await adminScope(ctx, request, 'view-identity-providers');
    const kind = PROVIDER_KINDS.get((request.params as { providerId: string }).providerId);
    if (!kind) throw new AdminError(400, { error: 'HTTP 400 Bad Request' });
    return { name: kind.name, id: kind.id, configProperties: [], helpText: '', configMetadata: [] };
  });

  app.post(`${base}/import-config`, async (request) => {
    await adminScope(ctx, request, 'manage-identity-providers');
    const body = readBody(request, importConfigBody);
    if (body.fromUrl === undefined || body.fromUrl === '') throw problem('fromUrl is required', 'fromUrl');
    const kind = PROVIDER_KINDS.get(body.providerId ?? 'oidc');
    if (!kind?.openIdConnect || kind.preset) throw problem(`Provider ${body.providerId} does not import a discovery document`, 'providerId');
    try {
      return configFromDiscovery(await fetchDiscovery(body.fromUrl, ctx.config.outboundAddresses), body.fromUrl);
    } catch (error) {
      if (error instanceof DiscoveryFailed) throw problem(`Could not import the discovery document: ${error.message}`, 'fromUrl');
      throw error;
    }
  });

  app.get(`${base}/instances/:alias/mapper-types`, async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-identity-providers');
    const kind = PROVIDER_KINDS.get(findProvider(realm, aliasOf(request)).providerId)!;
    return Object.fromEntries(
      mapperTypesFor(kind.openIdConnect).map((t) => [
        t.id,
        { id: t.id, name: t.name, category: t.category, helpText: t.helpText, properties: t.properties.map((p) => ({ ...p, secret: false, required: false, readOnly: false })) },
      ]),
    );
  });

  app.get(`${base}/instances/:alias/mappers`, async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-identity-providers');
    const provider = findProvider(realm, aliasOf(request));
    return realm.identityProviderMappers.filter((m) => m.identityProviderAlias === provider.alias).map(toIdentityProviderMapperRepresentation);
  });

  app.post(`${base}/instances/:alias/mappers`, async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-identity-providers');
    const provider = findProvider(realm, aliasOf(request));
    const mapper = newIdentityProviderMapper(readBody(request, identityProviderMapperRepresentation), realm.realm.id, provider.alias, problem);
    if (realm.identityProviderMappers.some((m) => m.id === mapper.id)) throw adminConflict(`Mapper ${mapper.id} already exists`);
    await ctx.realms.repository.createIdentityProviderMappers([mapper]);
    await ctx.realms.realmChanged(realm.realm.id);
    return reply.code(201).header('location', location(ctx, request, realm.realm.name, 'identity-provider', 'instances', provider.alias, 'mappers', mapper.id)).send();
  });

  const findMapper = (realm: LoadedRealm, request: FastifyRequest) => {
    const provider = findProvider(realm, aliasOf(request));
    const id = (request.params as { id: string }).id;
    const mapper = realm.identityProviderMappers.find((m) => m.id === id && m.identityProviderAlias === provider.alias);
    if (!mapper) throw new AdminError(404, { error: 'Model not found' });
    return mapper;
  };

  app.get(`${base}/instances/:alias/mappers/:id`, async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-identity-providers');
    return toIdentityProviderMapperRepresentation(findMapper(realm, request));
  });

  app.put(`${base}/instances/:alias/mappers/:id`, async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-identity-providers');
    const existing = findMapper(realm, request);
    const rep = readBody(request, identityProviderMapperRepresentation);
    const mapper = newIdentityProviderMapper({ ...rep, id: existing.id }, realm.realm.id, existing.identityProviderAlias, problem, '', existing);
    await ctx.realms.repository.updateIdentityProviderMapper(mapper);
    await ctx.realms.realmChanged(realm.realm.id);
    return reply.code(204).send();
  });

  app.delete(`${base}/instances/:alias/mappers/:id`, async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-identity-providers');
    const mapper = findMapper(realm, request);
    await ctx.realms.repository.deleteIdentityProviderMapper(realm.realm.id, mapper.id);
    await ctx.realms.realmChanged(realm.realm.id);
    return reply.code(204).send();
  });
}

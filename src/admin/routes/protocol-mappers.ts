/**
 * `/protocol-mappers/…` of a client (`/clients/{id}`) and of a client scope
 * (`/client-scopes/{id}`), as Keycloak's ProtocolMappersResource has them: `models` (list, create,
 * read, update, delete), `add-models` (several at once, all or none) and `protocol/{protocol}`.
 * Reading needs view-clients, writing manage-clients, and for a client also the power of its
 * service account (as any change of that client); a mapper that puts roles into tokens needs the
 * caller to hold them (protocol-mapper.ts). Each write re-reads its owner inside one transaction
 * under the realm lock, so two concurrent writes never lose one another's mappers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { AdminError, adminBadRequest, adminNotFound } from '../../errors/index.ts';
import { OIDC_PROTOCOL, type LoadedRealm, type ProtocolMapper, type RealmRepository } from '../../realm/index.ts';
import { requireActOnClient } from '../role-grants.ts';
import { findClient } from '../admin-lookups.ts';
import { adminScope, location, readBody } from '../admin-request.ts';
import { list } from '../json-shape.ts';
import {
  newProtocolMappers,
  protocolMapperRepresentation,
  requireMayGrantMappers,
  updatedProtocolMapper,
  type ProtocolMapperRepresentation,
} from '../representations/protocol-mapper.ts';
import { findClientScope } from './client-scopes.ts';

/** A client or a client scope, as the mapper routes need it. */
interface MapperOwner {
  protocol: string;
  mappers: ProtocolMapper[];
  /** Path segments of the owner below the realm, for `Location`. */
  segments: string[];
  /** The owner's mappers as stored now, inside the write's transaction. */
  current(tx: RealmRepository): Promise<ProtocolMapper[]>;
  save(tx: RealmRepository, mappers: ProtocolMapper[]): Promise<void>;
}

type OwnerLookup = (ctx: Context, realm: LoadedRealm, request: FastifyRequest, write: boolean) => Promise<MapperOwner>;

const clientOwner: OwnerLookup = async (ctx, realm, request, write) => {
  const client = findClient(realm, (request.params as { id: string }).id);
  if (write) await requireActOnClient(ctx, request.adminIdentity!, realm, client);
  const stored = async (tx: RealmRepository) => {
    const found = (await tx.listClients(realm.realm.id)).find((c) => c.id === client.id);
    if (!found) throw adminNotFound('Could not find client');
    return found;
  };
  return {
    protocol: client.protocol || OIDC_PROTOCOL,
    mappers: client.protocolMappers,
    segments: ['clients', client.id],
    current: async (tx) => (await stored(tx)).protocolMappers,
    save: async (tx, mappers) => tx.updateClient({ ...(await stored(tx)), protocolMappers: mappers }),
  };
};

const scopeOwner: OwnerLookup = async (_ctx, realm, request) => {
  const scope = findClientScope(realm, (request.params as { id: string }).id);
  const stored = async (tx: RealmRepository) => {
    const found = (await tx.listClientScopes(realm.realm.id)).find((s) => s.id === scope.id);
    if (!found) throw adminNotFound('Could not find client scope');
    return found;
  };
  return {
    protocol: scope.protocol,
    mappers: scope.protocolMappers,
    segments: ['client-scopes', scope.id],
    current: async (tx) => (await stored(tx)).protocolMappers,
    save: async (tx, mappers) => tx.updateClientScope({ ...(await stored(tx)), protocolMappers: mappers }),
  };
};

const badRequest = (message: string, path: string) => adminBadRequest(message, path === '' ? undefined : path);
const conflict = (message: string) => new AdminError(409, { errorMessage: message });
const mapperList = list(protocolMapperRepresentation);
const mapperIdOf = (request: FastifyRequest) => (request.params as { mapperId: string }).mapperId;

function findMapper(mappers: ProtocolMapper[], id: string): ProtocolMapper {
  const mapper = mappers.find((m) => m.id === id);
  if (!mapper) throw adminNotFound('Model not found');
  return mapper;
}

export async function protocolMapperRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  for (const [base, lookup] of [
    ['/admin/realms/:realm/clients/:id/protocol-mappers', clientOwner],
    ['/admin/realms/:realm/client-scopes/:id/protocol-mappers', scopeOwner],
  ] as const) {
    const read = async (request: FastifyRequest) => {
      const { realm } = await adminScope(ctx, request, 'view-clients');
      return lookup(ctx, realm, request, false);
    };

    /** Checks and writes new mappers in one transaction; answers their ids. */
    const create = async (request: FastifyRequest, reps: ProtocolMapperRepresentation[]): Promise<{ realm: LoadedRealm; owner: MapperOwner; ids: string[] }> => {
      const { identity, realm } = await adminScope(ctx, request, 'manage-clients');
      const owner = await lookup(ctx, realm, request, true);
      // Keycloak's words: one mapper's name taken, or a name twice in add-models.
      const taken = (message: string) => conflict(reps.length === 1 ? message : 'Protocol mapper name must be unique per protocol');
      const added = newProtocolMappers(reps, owner.protocol, owner.mappers, badRequest, taken);
      requireMayGrantMappers(identity, realm, added);
      await ctx.realms.repository.transaction(async (tx) => {
        await tx.lockRealm(realm.realm.id);
        const current = await owner.current(tx);
        // A mapper added meanwhile is checked again against the stored list.
        newProtocolMappers(added, owner.protocol, current, badRequest, taken);
        await owner.save(tx, [...current, ...added]);
      });
      await ctx.realms.realmChanged(realm.realm.id);
      return { realm, owner, ids: added.map((m) => m.id) };
    };

    app.get(`${base}/models`, async (request) => (await read(request)).mappers);

    app.get(`${base}/models/:mapperId`, async (request) => findMapper((await read(request)).mappers, mapperIdOf(request)));

    app.get(`${base}/protocol/:protocol`, async (request) => {
      const { protocol } = request.params as { protocol: string };
      return (await read(request)).mappers.filter((m) => m.protocol === protocol);
    });

    app.post(`${base}/models`, async (request, reply: FastifyReply) => {
      const rep = readBody(request, protocolMapperRepresentation);
      const { realm, owner, ids } = await create(request, [rep]);
      return reply.code(201).header('location', location(ctx, request, realm.realm.name, ...owner.segments, 'protocol-mappers', 'models', ids[0])).send();
    });

    app.post(`${base}/add-models`, async (request, reply) => {
      await create(request, readBody(request, mapperList));
      return reply.code(204).send();
    });

    app.put(`${base}/models/:mapperId`, async (request, reply) => {
      const { identity, realm } = await adminScope(ctx, request, 'manage-clients');
      const owner = await lookup(ctx, realm, request, true);
      const rep = readBody(request, protocolMapperRepresentation);
      const updated = updatedProtocolMapper(findMapper(owner.mappers, mapperIdOf(request)), rep, owner.mappers);
      requireMayGrantMappers(identity, realm, [updated]);
      await ctx.realms.repository.transaction(async (tx) => {
        await tx.lockRealm(realm.realm.id);
        const current = await owner.current(tx);
        findMapper(current, updated.id);
        await owner.save(
          tx,
          current.map((m) => (m.id === updated.id ? updated : m)),
        );
      });
      await ctx.realms.realmChanged(realm.realm.id);
      return reply.code(204).send();
    });

    app.delete(`${base}/models/:mapperId`, async (request, reply) => {
      const { identity, realm } = await adminScope(ctx, request, 'manage-clients');
      const owner = await lookup(ctx, realm, request, true);
      // Taking a role out of tokens is changing them as much as putting it in.
      requireMayGrantMappers(identity, realm, [findMapper(owner.mappers, mapperIdOf(request))]);
      await ctx.realms.repository.transaction(async (tx) => {
        await tx.lockRealm(realm.realm.id);
        const current = await owner.current(tx);
        findMapper(current, mapperIdOf(request));
        await owner.save(
          tx,
          current.filter((m) => m.id !== mapperIdOf(request)),
        );
      });
      await ctx.realms.realmChanged(realm.realm.id);
      return reply.code(204).send();
    });
  }
}

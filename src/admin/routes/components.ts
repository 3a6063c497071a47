/**
 * `/components` as Keycloak's ComponentResource: list with `type`, `parent` and `name`, create,
 * read, update and delete by id, for every registered component type (view-realm to read,
 * manage-realm to write). A body names its providerType; a type holdfast does not serve is
 * refused with 400 naming it, and so is a parent other than the realm.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { adminBadRequest, adminNotFound } from '../../errors/index.ts';
import type { LoadedRealm } from '../../realm/index.ts';
import { adminScope, collectionPaths, location, queryString, readBody } from '../admin-request.ts';
import { componentType, componentTypes, registerComponentType, type ComponentType, type ComponentView } from '../components/component-types.ts';
import { keyProviderType } from '../components/key-provider-type.ts';
import { componentRepresentation, type ComponentRepresentation } from '../components/key-providers.ts';

registerComponentType(keyProviderType);

const NOT_FOUND = 'Could not find component';

const isRealm = (realm: LoadedRealm, parent: string) => parent === realm.realm.id || parent === realm.realm.name;

async function find(ctx: Context, realm: LoadedRealm, id: string): Promise<{ type: ComponentType; view: ComponentView } | undefined> {
  for (const type of componentTypes()) {
    const view = (await type.list(ctx, realm)).find((c) => c.id === id);
    if (view) return { type, view };
  }
  return undefined;
}

/** The body and the type it names; an update may leave the type out (it keeps the component's). */
function checkedBody(request: FastifyRequest, realm: LoadedRealm, current?: ComponentType): { rep: ComponentRepresentation; type: ComponentType } {
  const rep = readBody(request, componentRepresentation);
  if (rep.providerType === undefined && current) return { rep: { ...rep, providerType: current.providerType }, type: current };
  if (rep.providerType === undefined) throw adminBadRequest('providerType is required', 'providerType');
  const type = componentType(rep.providerType);
  const served = componentTypes().map((t) => t.providerType).join(', ');
  if (!type) throw adminBadRequest(`Components of providerType '${rep.providerType}' are not supported by holdfast (it serves ${served})`, 'providerType');
  if (rep.parentId !== undefined && !isRealm(realm, rep.parentId)) throw adminBadRequest(`Unknown parentId '${rep.parentId}': components belong to the realm`, 'parentId');
  if (rep.name !== undefined && (rep.name.trim() === '' || rep.name.length > 255)) throw adminBadRequest('name must be 1 to 255 characters', 'name');
  return { rep, type };
}

export async function componentRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const list = async (request: FastifyRequest) => {
    const { realm } = await adminScope(ctx, request, 'view-realm');
    const type = queryString(request, 'type');
    const parent = queryString(request, 'parent');
    const name = queryString(request, 'name');
    if (parent !== undefined && !isRealm(realm, parent)) return [];
    const views: ComponentView[] = [];
    for (const t of componentTypes()) if (type === undefined || t.providerType === type) views.push(...(await t.list(ctx, realm)));
    return views.filter((v) => name === undefined || v.name === name);
  };
  const create = async (request: FastifyRequest, reply: FastifyReply) => {
    const scope = await adminScope(ctx, request, 'manage-realm');
    const { realm } = scope;
    const { rep, type } = checkedBody(request, realm);
    const id = await type.create(ctx, scope, rep);
    return reply.code(201).header('location', location(ctx, request, realm.realm.name, 'components', id)).send();
  };
  for (const url of collectionPaths('/admin/realms/:realm/components')) {
    app.get(url, list);
    app.post(url, create);
  }

  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
  app.get('/admin/realms/:realm/components/:id', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-realm');
    const found = await find(ctx, realm, idOf(request));
    if (!found) throw adminNotFound(NOT_FOUND);
    return found.view;
  });
  app.put('/admin/realms/:realm/components/:id', async (request, reply) => {
    const scope = await adminScope(ctx, request, 'manage-realm');
    const { realm } = scope;
    const found = await find(ctx, realm, idOf(request));
    if (!found) throw adminNotFound(NOT_FOUND);
    const { rep, type } = checkedBody(request, realm, found.type);
    if (found.type !== type) throw adminBadRequest(`providerType cannot be changed (it is ${found.type.providerType})`, 'providerType');
    if (!(await type.update(ctx, scope, idOf(request), rep))) throw adminNotFound(NOT_FOUND);
    return reply.code(204).send();
  });
  app.delete('/admin/realms/:realm/components/:id', async (request, reply) => {
    const scope = await adminScope(ctx, request, 'manage-realm');
    const found = await find(ctx, scope.realm, idOf(request));
    if (!found || !(await found.type.remove(ctx, scope, idOf(request)))) throw adminNotFound(NOT_FOUND);
    return reply.code(204).send();
  });
}

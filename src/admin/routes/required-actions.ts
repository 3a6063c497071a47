/**
 * `/admin/realms/{realm}/authentication/required-actions` as Keycloak's: list, read, update and
 * delete by alias, `raise-priority` / `lower-priority`, and the providers that can be
 * registered (`unregistered-required-actions`, `register-required-action`). Reading needs
 * `view-realm`, writing `manage-realm`. The realm's list is part of its settings, so every write
 * is one realm update and every node reloads it from the invalidation.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { AdminError, adminBadRequest, adminNotFound } from '../../errors/index.ts';
import { REQUIRED_ACTION_PROVIDERS, sortRequiredActions, type LoadedRealm, type RequiredActionProvider } from '../../realm/index.ts';
import { adminScope, readBody, shapeToAdminError } from '../admin-request.ts';
import { object, ShapeError, string } from '../json-shape.ts';
import { applyRequiredAction, requiredActionRepresentation } from '../representations/required-action.ts';

const BASE = '/admin/realms/:realm/authentication';
const registration = object({ providerId: string, name: string });

function findAction(realm: LoadedRealm, request: FastifyRequest): RequiredActionProvider {
  const alias = (request.params as { alias: string }).alias;
  const action = realm.realm.settings.requiredActions.find((a) => a.alias === alias);
  if (!action) throw adminNotFound('Failed to find required action');
  return action;
}

async function saveActions(ctx: Context, realm: LoadedRealm, actions: RequiredActionProvider[]): Promise<void> {
  await ctx.realms.repository.updateRealm({ ...realm.realm, settings: { ...realm.realm.settings, requiredActions: actions } });
  await ctx.realms.realmChanged(realm.realm.id);
}

/** Swaps the action's priority with its neighbour's (`-1` before it, `+1` after it), as Keycloak moves them. */
function move(actions: RequiredActionProvider[], alias: string, direction: -1 | 1): RequiredActionProvider[] {
  const sorted = sortRequiredActions(actions);
  const i = sorted.findIndex((a) => a.alias === alias);
  const j = i + direction;
  if (j < 0 || j >= sorted.length) return actions;
  const [a, b] = [sorted[i], sorted[j]];
  // Equal priorities would not move anything: the moved one goes just past its neighbour.
  const [pa, pb] = a.priority === b.priority ? [b.priority + direction, a.priority] : [b.priority, a.priority];
  return actions.map((x) => (x.alias === a.alias ? { ...x, priority: pa } : x.alias === b.alias ? { ...x, priority: pb } : x));
}

export async function requiredActionRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get(`${BASE}/required-actions`, async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-realm');
    return sortRequiredActions(realm.realm.settings.requiredActions);
  });

  app.get(`${BASE}/required-actions/:alias`, async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-realm');
    return findAction(realm, request);
  });

  app.put(`${BASE}/required-actions/:alias`, async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-realm');
    const action = findAction(realm, request);
    const rep = readBody(request, requiredActionRepresentation);
    let updated: RequiredActionProvider;
    try {
      updated = applyRequiredAction(action, rep);
    } catch (error) {
      if (error instanceof ShapeError) throw shapeToAdminError(error);
      throw error;
    }
    await saveActions(ctx, realm, realm.realm.settings.requiredActions.map((a) => (a.alias === action.alias ? updated : a)));
    return reply.code(204).send();
  });

  app.delete(`${BASE}/required-actions/:alias`, async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-realm');
    const action = findAction(realm, request);
    await saveActions(ctx, realm, realm.realm.settings.requiredActions.filter((a) => a.alias !== action.alias));
    return reply.code(204).send();
  });

  for (const [name, direction] of [['raise-priority', -1], ['lower-priority', 1]] as const) {
    app.post(`${BASE}/required-actions/:alias/${name}`, async (request, reply) => {
      const { realm } = await adminScope(ctx, request, 'manage-realm');
      const action = findAction(realm, request);
      await saveActions(ctx, realm, move(realm.realm.settings.requiredActions, action.alias, direction));
      return reply.code(204).send();
    });
  }

  app.get(`${BASE}/unregistered-required-actions`, async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-realm');
    const registered = new Set(realm.realm.settings.requiredActions.map((a) => a.providerId));
    return REQUIRED_ACTION_PROVIDERS.filter((p) => !registered.has(p.providerId)).map((p) => ({ providerId: p.providerId, name: p.name }));
  });

  app.post(`${BASE}/register-required-action`, async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-realm');
    const rep = readBody(request, registration);
    const provider = REQUIRED_ACTION_PROVIDERS.find((p) => p.providerId === rep.providerId);
    if (!provider) throw adminBadRequest(`No required action provider '${rep.providerId ?? ''}' (holdfast runs ${REQUIRED_ACTION_PROVIDERS.map((p) => p.providerId).join(', ')})`, 'providerId');
    const actions = realm.realm.settings.requiredActions;
    if (actions.some((a) => a.alias === provider.providerId)) throw new AdminError(409, { error: 'conflict', error_description: 'A Required Action Provider with given alias already exists.' });
    const priority = Math.max(0, ...actions.map((a) => a.priority)) + 10;
    const registered: RequiredActionProvider = { alias: provider.providerId, name: rep.name ?? provider.name, providerId: provider.providerId, enabled: true, defaultAction: false, priority, config: {} };
    await saveActions(ctx, realm, [...actions, registered]);
    return reply.code(204).send();
  });
}

/**
 * `/admin/realms/{realm}/authentication/flows` as Keycloak's, read-only: the flows and their
 * executions describe holdfast's fixed login steps (representations/authentication-flow.ts).
 * The providers lists and config descriptions name the steps holdfast runs (none takes a config).
 * Reading needs `view-realm`; every write Keycloak offers on flows, executions and their configs
 * needs `manage-realm` and is then refused with a 400 saying flows are not editable, so a script
 * that changes a flow learns it did not happen.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { adminBadRequest, adminNotFound } from '../../errors/index.ts';
import { adminScope } from '../admin-request.ts';
import { configDescription, executionInfos, flowById, FLOWS_NOT_EDITABLE, PROVIDER_LISTS, topLevelFlows } from '../representations/authentication-flow.ts';

const BASE = '/admin/realms/:realm/authentication';
const WRITES = ['POST', 'PUT', 'DELETE'] as const;

/** Keycloak's write paths under `authentication/` that act on flows. */
const WRITE_PATHS = ['/flows', '/flows/*', '/executions', '/executions/*', '/config', '/config/*'];

export async function authenticationFlowRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const param = (request: FastifyRequest, name: string) => (request.params as Record<string, string>)[name];

  app.get(`${BASE}/flows`, async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-realm');
    return topLevelFlows(realm.realm.id);
  });

  app.get(`${BASE}/flows/:id`, async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-realm');
    const flow = flowById(realm.realm.id, param(request, 'id'));
    if (!flow) throw adminNotFound('Could not find flow with id');
    return flow;
  });

  app.get(`${BASE}/flows/:alias/executions`, async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-realm');
    const executions = executionInfos(realm.realm.id, param(request, 'alias'));
    if (!executions) throw adminNotFound('Flow not found');
    return executions;
  });

  for (const [name, providers] of Object.entries(PROVIDER_LISTS)) {
    app.get(`${BASE}/${name}`, async (request) => {
      await adminScope(ctx, request, 'view-realm');
      return providers;
    });
  }

  app.get(`${BASE}/config-description/:providerId`, async (request) => {
    await adminScope(ctx, request, 'view-realm');
    const description = configDescription(param(request, 'providerId'));
    if (!description) throw adminNotFound('Could not find authenticator provider');
    return description;
  });

  // No step takes a config, so no config id exists.
  app.get(`${BASE}/config/:id`, async (request) => {
    await adminScope(ctx, request, 'view-realm');
    throw adminNotFound('Could not find authenticator config');
  });

  for (const path of WRITE_PATHS) {
    app.route({
      method: [...WRITES],
      url: `${BASE}${path}`,
      handler: async (request) => {
        await adminScope(ctx, request, 'manage-realm');
        throw adminBadRequest(FLOWS_NOT_EDITABLE);
      },
    });
  }
}

/**
 * `POST /admin/realms/{realm}/partialImport`: Keycloak's partial import, answered with its result
 * body (`overwritten`, `added`, `skipped`, `results`) plus, when there is any, what was not
 * honoured or ignored. Needs manage-realm, and manage-users / manage-clients for the users,
 * groups and clients it carries, checked before a large body is read; every role it maps must be
 * one the caller could grant directly.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { adminConflict } from '../../errors/index.ts';
import { requireActOnClient, requireActOnUser } from '../role-grants.ts';
import { requirePermission } from '../admin-auth.ts';
import { adminScope, queryBoolean, shapeToAdminError } from '../admin-request.ts';
import { ShapeError } from '../json-shape.ts';
import { ImportConflict, isUniqueViolation } from '../realm-file/import-conflict.ts';
import { lossyImportError, lossyImportReport } from '../realm-file/lossy-answers.ts';
import { LossyImport } from '../realm-file/lossy-parts.ts';
import { partialImport } from '../realm-file/partial-import.ts';

/** As for a realm file: only a realm manager gets this far, and users come by the thousand. */
const PARTIAL_IMPORT_BODY_LIMIT = 256 * 1024 * 1024;

const has = (body: Record<string, unknown>, name: string) => body[name] !== undefined && body[name] !== null;

export async function partialImportRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.post(
    '/admin/realms/:realm/partialImport',
    {
      bodyLimit: PARTIAL_IMPORT_BODY_LIMIT,
      onRequest: async (request: FastifyRequest) => {
        await adminScope(ctx, request, 'manage-realm');
      },
    },
    async (request) => {
      const { identity, realm } = await adminScope(ctx, request, 'manage-realm');
      const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
      if (has(body, 'users') || has(body, 'groups')) requirePermission(identity, realm, 'manage-users');
      if (has(body, 'clients')) requirePermission(identity, realm, 'manage-clients');
      const allowLossy = queryBoolean(request, 'allowLossyImport') === true;
      let outcome;
      try {
        outcome = await partialImport(ctx.realms.repository, realm, identity, request.body, {
          nowMs: ctx.clock.nowMs(),
          allowLossy,
          mayActOnUser: (user) => requireActOnUser(ctx, identity, realm, user),
          mayActOnClient: (client) => requireActOnClient(ctx, identity, realm, client),
        });
      } catch (error) {
        if (error instanceof ShapeError) throw shapeToAdminError(error);
        if (error instanceof ImportConflict) throw adminConflict(error.message);
        if (error instanceof LossyImport) throw lossyImportError(error);
        // Ids in a body can collide with another realm's, or with a resource it did not name.
        if (isUniqueViolation(error)) throw adminConflict('Conflict detected: an id or name in the body is already used');
        throw error;
      }
      for (const userId of outcome.replacedUserIds) {
        for (const offline of [false, true]) await ctx.store.deleteUserSessionsOfUser(realm.realm.id, userId, offline);
      }
      await ctx.realms.realmChanged(realm.realm.id);
      const report = lossyImportReport(outcome);
      const { overwritten, added, skipped, results } = outcome;
      return { overwritten, added, skipped, results, ...(report.notHonoured.length + report.ignored.length > 0 ? report : {}) };
    },
  );
}

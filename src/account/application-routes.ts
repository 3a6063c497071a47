/**
 * `GET /account/applications`: the clients the user has used — with a session now (`inUse`),
 * with offline access (`offlineAccess`), with a consent — bearer-only clients left out,
 * optionally filtered by `name` (holdfast keeps no `alwaysDisplayInConsole`, so no client is
 * listed for that alone). `DELETE
 * /account/applications/{clientId}/consent` revokes the consent and the offline access: the
 * client leaves every offline session of the user (an offline session left without clients
 * ends), and when a consent went, its online client sessions end too, with a back-channel notice,
 * as Keycloak's UserConsentManager does. `GET …/consent` answers the consent, or 204.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.ts';
import { AdminError } from '../errors/index.ts';
import { baseUrl } from '../http/base-url.ts';
import type { Client } from '../realm/index.ts';
import { isUserSessionValid } from '../session/index.ts';
import { requireOneOf, type AccountCaller } from './account-auth.ts';
import { accountCaller, accountPaths, queryText } from './account-request.ts';
import { applicationRepresentation } from './account-representations.ts';
import type { ApplicationConsents } from './application-consents.ts';

const noSuchClient = (clientId: string) => new AdminError(404, { errorMessage: `No client with clientId: ${clientId} found.` });

export async function applicationRoutes(app: FastifyInstance, { ctx, consents }: { ctx: Context; consents: ApplicationConsents }): Promise<void> {
  async function clientUuidsOfSessions(caller: AccountCaller, offline: boolean): Promise<Set<string>> {
    const now = ctx.sessions.now();
    const sessions = await ctx.store.listUserSessionsOfUser(caller.realm.realm.id, caller.user.user.id, offline);
    return new Set(sessions.filter((s) => isUserSessionValid(caller.realm.realm.settings, s, now)).flatMap((s) => [...s.clientSessions.keys()]));
  }

  for (const path of accountPaths('/applications')) {
    app.get(path, async (request) => {
      const caller = accountCaller(request);
      requireOneOf(caller, 'manage-account', 'view-applications');
      const name = queryText(request, 'name')?.toLowerCase();
      const [inUse, offline, consented] = await Promise.all([
        clientUuidsOfSessions(caller, false),
        clientUuidsOfSessions(caller, true),
        consents.consentsOf(caller.realm, caller.user.user.id),
      ]);
      const shown = new Map<string, Client>();
      for (const uuid of [...inUse, ...offline, ...consented.keys()]) {
        const client = caller.realm.clientsById.get(uuid);
        if (client) shown.set(uuid, client);
      }
      const authBaseUrl = baseUrl(request, ctx.config);
      return [...shown.values()]
        .filter((c) => !c.bearerOnly && c.clientId !== '')
        .filter((c) => name === undefined || (c.name !== undefined && c.name.toLowerCase().includes(name)))
        .sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0))
        .map((c) => {
          const consent = consented.get(c.id);
          return applicationRepresentation(c, { inUse: inUse.has(c.id), offlineAccess: offline.has(c.id) }, authBaseUrl, consent && { ...consent });
        });
    });
  }

  app.get('/realms/:realm/account/applications/:clientId/consent', async (request, reply) => {
    const caller = accountCaller(request);
    requireOneOf(caller, 'manage-account', 'view-consent', 'manage-consent');
    const { clientId } = request.params as { clientId: string };
    const client = caller.realm.clientsByClientId.get(clientId);
    if (!client) throw noSuchClient(clientId);
    const consent = (await consents.consentsOf(caller.realm, caller.user.user.id)).get(client.id);
    return consent ?? reply.code(204).send();
  });

  app.delete('/realms/:realm/account/applications/:clientId/consent', async (request, reply) => {
    reply.removeHeader('cache-control');
    const caller = accountCaller(request);
    requireOneOf(caller, 'manage-account', 'manage-consent');
    const event = ctx.events.recorder.user(caller.realm, 'REVOKE_GRANT', request).client(caller.accountClient.clientId).user(caller.user.user.id);
    const { clientId } = request.params as { clientId: string };
    const client = caller.realm.clientsByClientId.get(clientId);
    if (!client) {
      const error = noSuchClient(clientId);
      event.detail('reason', error.message).error('client_not_found');
      throw error;
    }
    const userId = caller.user.user.id;
    const realmId = caller.realm.realm.id;
    const revokedConsent = await consents.revoke(caller.realm, userId, client.id);
    for (const session of await ctx.store.listUserSessionsOfUser(realmId, userId, true)) {
      if (!session.clientSessions.has(client.id)) continue;
      if (session.clientSessions.size === 1) await ctx.sessions.end(session);
      else await ctx.sessions.detachClient(session, client.id);
    }
    if (revokedConsent) {
      for (const session of await ctx.store.listUserSessionsOfUser(realmId, userId, false)) {
        if (!session.clientSessions.has(client.id)) continue;
        // Noticed while the client is still in the session: the notifier reads its clients from it.
        ctx.logoutNotifier.sessionEnded(caller.realm, caller.issuer, session, skipAllBut(session.clientSessions.keys(), client.id));
        await ctx.sessions.detachClient(session, client.id);
      }
    }
    event.detail('revoked_client', client.clientId).success();
    return reply.code(204).send();
  });
}

/** The clients of a session to skip so that only `clientUuid` gets the back-channel notice. */
function skipAllBut(clients: Iterable<string>, clientUuid: string): Set<string> {
  return new Set([...clients].filter((uuid) => uuid !== clientUuid));
}

/**
 * `/account/linked-accounts`: the user's links to the realm's identity providers, as Keycloak
 * 26.7's account API answers them (checked against a real one). The list holds every enabled
 * provider (hidden and link-only ones too) with `connected` and, when linked, the upstream
 * username; `linked=true`/`false` keeps one side, with `search` (a prefix of the alias or display
 * name) and `first`/`max` paging. DELETE removes a link unless it is the user's last way in (no
 * password, no other link). Linking from here is Keycloak's application-initiated action now;
 * the legacy link URL answers Keycloak's 404.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.ts';
import { PROVIDER_KINDS } from '../broker/index.ts';
import type { IdentityProvider } from '../realm/index.ts';
import { AdminError } from '../errors/index.ts';
import { requireOneOf } from './account-auth.ts';
import { accountCaller, accountPaths, badRequest, queryFlag, queryText } from './account-request.ts';

const DEFAULT_MAX = 20;
const MAX_PAGE = 1000;

function displayNameOf(provider: IdentityProvider): string {
  const kind = PROVIDER_KINDS.get(provider.providerId);
  // A social preset without a display name shows its kind's name ("GitHub"), as Keycloak's do.
  return provider.displayName || (kind?.preset ? kind.name : provider.alias);
}

function pageNumber(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,9}$/.test(text)) throw badRequest(`${name}: expected a number`);
  return Number(text);
}

export async function linkedAccountRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  for (const path of accountPaths('/linked-accounts')) {
    app.get(path, async (request, reply) => {
      reply.removeHeader('cache-control');
      const caller = accountCaller(request);
      requireOneOf(caller, 'manage-account', 'view-profile');
      const linked = queryFlag(request, 'linked');
      const search = queryText(request, 'search')?.toLowerCase();
      const first = pageNumber(queryText(request, 'first'), 'first', 0);
      const max = Math.min(pageNumber(queryText(request, 'max'), 'max', DEFAULT_MAX), MAX_PAGE);
      const links = new Map((await ctx.realms.repository.listFederatedIdentities(caller.user.user.id)).map((l) => [l.identityProvider, l]));
      const accounts = [...caller.realm.identityProviders.values()]
        .filter((p) => p.enabled)
        .sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0))
        .map((provider) => {
          const link = links.get(provider.alias);
          return {
            connected: link !== undefined,
            providerAlias: provider.alias,
            providerName: provider.alias,
            displayName: displayNameOf(provider),
            ...(link ? { linkedUsername: link.federatedUsername ?? link.federatedUserId } : {}),
            social: PROVIDER_KINDS.get(provider.providerId)?.preset !== undefined,
          };
        });
      // Without `linked`, Keycloak answers the whole list, unpaged.
      if (linked === undefined) return accounts;
      const matches = (account: (typeof accounts)[number]) => search === undefined || account.providerAlias.toLowerCase().startsWith(search) || account.displayName.toLowerCase().startsWith(search);
      return accounts.filter((a) => a.connected === linked && matches(a)).slice(first, first + max);
    });
  }

  app.get('/realms/:realm/account/linked-accounts/:alias', async (request) => {
    requireOneOf(accountCaller(request), 'manage-account');
    throw new AdminError(404, { errorMessage: 'Legacy client-initiated account linking is disabled. Use AIA with kc_action=idp_link instead.' });
  });

  app.delete('/realms/:realm/account/linked-accounts/:alias', async (request, reply) => {
    const caller = accountCaller(request);
    requireOneOf(caller, 'manage-account');
    const alias = (request.params as { alias: string }).alias;
    const provider = caller.realm.identityProviders.get(alias);
    if (!provider) throw badRequest('identityProviderNotFoundMessage');
    const userId = caller.user.user.id;
    const repository = ctx.realms.repository;
    const links = await repository.listFederatedIdentities(userId);
    if (!links.some((l) => l.identityProvider === alias)) throw badRequest('This identity is not active anymore.');
    const hasPassword = (await repository.listCredentials(userId)).some((c) => c.type === 'password');
    if (links.length < 2 && !hasPassword) throw badRequest('You can not remove last federated identity as you do not have a password.');
    if (!(await repository.removeFederatedIdentity(userId, alias))) throw badRequest('This identity is not active anymore.');
    await ctx.realms.userChanged(userId);
    ctx.events.recorder.user(caller.realm, 'REMOVE_FEDERATED_IDENTITY', request).client(caller.claims.azp).user(userId).detail('identity_provider', alias).detail('username', caller.user.user.username).success();
    return reply.code(204).send();
  });
}

/**
 * Keycloak's "We are sorry..." page for every ErrorPage a route throws, in the theme and language
 * of the realm the URL names. Looking the realm up can fail (unknown realm, store down): the page
 * is then shown in the default theme, in English, rather than not at all.
 */
import type { FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import type { LoadedRealm } from '../realm/realm-service.ts';
import { renderPage } from './page-renderer.ts';

export async function renderErrorPage(ctx: Context, request: FastifyRequest, text: string): Promise<string> {
  const name = (request.params as { realm?: unknown } | undefined)?.realm;
  let realm: LoadedRealm | undefined;
  try {
    realm = typeof name === 'string' && name !== '' ? await ctx.realms.getRealm(name) : undefined;
  } catch {
    realm = undefined;
  }
  return renderPage(ctx, { request, realm }, { template: 'error', title: 'errorTitle', data: { text } });
}

/**
 * `/admin/realms/{realm}/localization`: a realm's own message texts per locale (Keycloak's
 * "Realm overrides"), stored per realm and carried by realm files as `localizationTexts`. Reading
 * needs any admin role, writing `manage-realm`, as in Keycloak. A single text is sent and read as
 * `text/plain`; a locale's texts as a JSON object.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { AdminError, adminNotFound } from '../../errors/index.ts';
import { forbidden, hasAnyAdminRole } from '../admin-auth.ts';
import { adminScope, queryBoolean, readBody, shapeToAdminError, type AdminScope } from '../admin-request.ts';
import { ShapeError } from '../json-shape.ts';
import { checkName, checkText, localeTexts } from '../representations/localization.ts';

const notFound = () => adminNotFound('Localization text not found');

async function readScope(ctx: Context, request: FastifyRequest): Promise<AdminScope> {
  const scope = await adminScope(ctx, request);
  if (!hasAnyAdminRole(scope.identity, scope.realm)) throw forbidden();
  return scope;
}

function checked<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ShapeError) throw shapeToAdminError(error);
    throw error;
  }
}

function params(request: FastifyRequest): { locale: string; key: string } {
  const { locale, key } = request.params as { locale: string; key?: string };
  return checked(() => ({ locale: checkName(locale, 'locale'), key: key === undefined ? '' : checkName(key, 'key') }));
}

export async function localizationRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const base = '/admin/realms/:realm/localization';
  const texts = (scope: AdminScope) => ctx.realms.repository.localizationTexts(scope.realm.realm.id);

  app.get(base, async (request) => Object.keys(await texts(await readScope(ctx, request))));

  // A holdfast realm has no default locale, so `useRealmDefaultLocaleFallback` adds nothing.
  app.get(`${base}/:locale`, async (request) => {
    const scope = await readScope(ctx, request);
    queryBoolean(request, 'useRealmDefaultLocaleFallback');
    return (await texts(scope))[params(request).locale] ?? {};
  });

  app.get(`${base}/:locale/:key`, async (request, reply) => {
    const scope = await readScope(ctx, request);
    const { locale, key } = params(request);
    const text = (await texts(scope))[locale]?.[key];
    if (text === undefined) throw notFound();
    return reply.type('text/plain; charset=utf-8').send(text);
  });

  app.put(`${base}/:locale/:key`, async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-realm');
    const { locale, key } = params(request);
    if (!/^text\/plain\b/i.test(request.headers['content-type'] ?? '') || typeof request.body !== 'string') throw new AdminError(415, { error: 'The content-type header value did not match the value in @Consumes' });
    const text = checked(() => checkText(request.body as string, key));
    await ctx.realms.repository.putLocalizationTexts(realm.realm.id, locale, { [key]: text });
    return reply.code(204).send();
  });

  app.post(`${base}/:locale`, async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-realm');
    const { locale } = params(request);
    const given = readBody(request, localeTexts);
    await ctx.realms.repository.putLocalizationTexts(realm.realm.id, locale, given);
    return reply.code(204).send();
  });

  app.delete(`${base}/:locale`, async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-realm');
    const { locale } = params(request);
    if ((await ctx.realms.repository.deleteLocalizationTexts(realm.realm.id, locale)) === 0) throw adminNotFound(`No localization texts for locale ${locale} found.`);
    return reply.code(204).send();
  });

  app.delete(`${base}/:locale/:key`, async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-realm');
    const { locale, key } = params(request);
    if ((await ctx.realms.repository.deleteLocalizationTexts(realm.realm.id, locale, key)) === 0) throw notFound();
    return reply.code(204).send();
  });
}

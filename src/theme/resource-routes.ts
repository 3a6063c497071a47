/**
 * `/resources/…`, as Keycloak serves them. `/resources/{version}/login/{theme}/{path}`: a theme's
 * CSS and images, from memory, with `immutable` caching when `{version}` is the theme's current
 * one (pages link to exactly that, so a changed file gets a new URL), and without long caching
 * for any other version (a page rendered before an upgrade). `/resources/{realm}/{themeType}/{locale}`:
 * the effective message bundle the consoles read — `[{key, value}]`, the theme's texts (for
 * `account`, the account console's bundle) with the realm's localization texts over them; with `?source=true` both lists apart, each entry
 * marked `THEME` or `REALM`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { accountMessages } from './account-messages.ts';
import { isLanguageTag, normalizeTag } from './locale-match.ts';
import { DEFAULT_THEME } from './themes.ts';

const THEME_TYPES = new Set(['login', 'account', 'admin', 'email', 'welcome', 'common']);
const CONTENT_TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  ico: 'image/x-icon',
  webp: 'image/webp',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
};
const IMMUTABLE = 'public, max-age=31536000, immutable';

function allowAnyOrigin(request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  if (!origin) return;
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-allow-credentials', 'true');
  reply.header('vary', 'Origin');
}

export async function themeResourceRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/resources/:version/:themeType/:theme/*', { config: { endpoint: 'resources' } }, async (request, reply) => {
    const { version, themeType, theme: name, '*': file } = request.params as Record<string, string>;
    const theme = themeType === 'login' ? ctx.themes.login(name) : undefined;
    const content = theme && (theme.name === name || name === DEFAULT_THEME) ? theme.resources.get(file) : undefined;
    if (!theme || content === undefined) return reply.code(404).header('cache-control', 'no-store').send();
    const extension = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
    return reply
      .code(200)
      .headers({
        'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
        'cache-control': version === theme.version ? IMMUTABLE : 'no-cache',
        'x-content-type-options': 'nosniff',
        'cross-origin-resource-policy': 'same-site',
      })
      .send(content);
  });

  app.options('/resources/:realm/:themeType/:locale', async (request, reply) => {
    allowAnyOrigin(request, reply);
    reply.header('access-control-allow-methods', 'GET, OPTIONS');
    reply.header('access-control-allow-headers', 'Origin, Accept, X-Requested-With, Content-Type, Authorization');
    reply.header('access-control-max-age', '3600');
    return reply.code(200).send();
  });

  app.get('/resources/:realm/:themeType/:locale', { config: { endpoint: 'resources' } }, async (request, reply) => {
    const { realm: realmName, themeType, locale: requested } = request.params as Record<string, string>;
    const query = request.query as Record<string, unknown>;
    const realm = await ctx.realms.getRealm(realmName);
    const type = themeType.toLowerCase();
    if (!realm || !THEME_TYPES.has(type)) return reply.code(404).send();
    const themeName = typeof query.theme === 'string' ? query.theme : realm.realm.settings.loginTheme;
    // Only the login pages have a theme in holdfast; other kinds have the realm's texts alone.
    const theme = type === 'login' ? ctx.themes.login(themeName) : undefined;
    // Bounded before it is used: the tag is a lookup key, never stored.
    const locale = isLanguageTag(requested) ? normalizeTag(requested) : 'en';
    const realmTexts = await ctx.realms.repository.localizationTexts(realm.realm.id);
    allowAnyOrigin(request, reply);
    reply.header('cache-control', 'no-cache');
    const chain = [...new Set(['en', locale.split('-')[0], locale])];
    const realmLevels = chain.map((level) => Object.entries(realmTexts).find(([tag]) => isLanguageTag(tag) && normalizeTag(tag) === level)?.[1] ?? {});
    // The account console's own words sit under the realm's, as a theme's do on the login pages.
    const base = type === 'account' ? accountMessages(locale) : {};
    if (query.source === 'true') {
      const own = Object.entries(theme ? theme.messages(locale) : base).map(([key, value]) => ({ key, value, source: 'THEME' }));
      const fromRealm = realmLevels.flatMap((texts) => Object.entries(texts).map(([key, value]) => ({ key, value, source: 'REALM' })));
      return reply.send([...own, ...fromRealm]);
    }
    const merged = theme ? theme.messages(locale, realmTexts) : Object.assign({}, base, ...realmLevels);
    return reply.send(Object.entries(merged as Record<string, string>).map(([key, value]) => ({ key, value })));
  });
}

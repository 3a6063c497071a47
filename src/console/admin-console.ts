/**
 * The admin console's URLs, as Keycloak's: `/admin/` sends the browser to the master realm's
 * console, `/admin/{realm}/console/` is the single-page app for admins of that realm (master's
 * admins manage every realm from master's console), and its built files are under
 * `/admin/resources/`. The app talks to the admin REST API only; these routes serve files.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { baseUrl } from '../http/base-url.ts';
import { ErrorPage } from '../errors/index.ts';
import { CONSOLE_PAGE_HEADERS, IMMUTABLE, WebApp } from './web-app.ts';

const ASSETS = '/admin/resources';
const CLIENT_ID = 'security-admin-console';

function notBuilt(reply: FastifyReply): FastifyReply {
  return reply
    .code(503)
    .headers({ 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
    .send('The admin console has not been built. Run `npm run build` (npm start does it) and restart holdfast.');
}

export async function adminConsoleRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const console = WebApp.load('admin');

  const consoleOf = (request: FastifyRequest, realm: string) => `${baseUrl(request, ctx.config)}/admin/${encodeURIComponent(realm)}/console/`;
  app.get('/admin', (request, reply) => reply.redirect(consoleOf(request, 'master'), 302));
  app.get('/admin/', (request, reply) => reply.redirect(consoleOf(request, 'master'), 302));
  app.get('/admin/:realm/console', (request, reply) => reply.redirect(consoleOf(request, (request.params as { realm: string }).realm), 302));

  app.get('/admin/:realm/console/', async (request, reply) => {
    const { realm: name } = request.params as { realm: string };
    const realm = await ctx.realms.getRealm(name);
    if (!realm) throw new ErrorPage(404, 'Realm does not exist');
    if (!realm.clientsByClientId.get(CLIENT_ID)?.enabled) throw new ErrorPage(404, 'The admin console is not enabled in this realm.');
    if (!console) return notBuilt(reply);
    const base = baseUrl(request, ctx.config);
    const html = console.page('holdfast administration console', 'en', `${base}${ASSETS}`, { authServerUrl: base, loginRealm: name, clientId: CLIENT_ID });
    return reply.headers(CONSOLE_PAGE_HEADERS).send(html);
  });

  app.get(`${ASSETS}/:file`, async (request, reply) => {
    const file = await console?.read((request.params as { file: string }).file);
    if (!file) return reply.code(404).headers({ 'content-type': 'text/plain; charset=utf-8' }).send('Not found');
    return reply.headers({ 'content-type': file.contentType, 'cache-control': IMMUTABLE, 'x-content-type-options': 'nosniff' }).send(file.body);
  });
}

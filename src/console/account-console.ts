/**
 * The account console's page and files. A browser that opens `/realms/{realm}/account/` (or any
 * path under it, the app's own routes) without asking for JSON gets the index page Keycloak's
 * account theme serves: the environment the `@keycloak/keycloak-account-ui` pages read
 * (serverBaseUrl, realm, clientId `account-console`, baseUrl, resourceUrl, locale, features) in a
 * JSON block, and the built app under the resource URL `/resources/{build}/account/holdfast/`,
 * where `content.json` names the menu as Keycloak's account theme does. The app then talks to the
 * account REST API only, with the token keycloak-js got for `account-console`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { ErrorPage } from '../errors/index.ts';
import { baseUrl } from '../http/base-url.ts';
import type { LoadedRealm } from '../realm/index.ts';
import { CONSOLE_PAGE_HEADERS, IMMUTABLE, WebApp } from './web-app.ts';

const CLIENT_ID = 'account-console';
const THEME = 'holdfast';

/** The menu, as the package's PageNav reads it: labels are message keys, paths under baseUrl. */
const MENU = [
  { label: 'personalInfo', path: '' },
  {
    label: 'accountSecurity',
    children: [
      { label: 'signingIn', path: 'account-security/signing-in' },
      { label: 'deviceActivity', path: 'account-security/device-activity' },
      { label: 'linkedAccounts', path: 'account-security/linked-accounts', isVisible: 'isLinkedAccountsEnabled' },
    ],
  },
  { label: 'applications', path: 'applications', isVisible: 'isViewApplicationsEnabled' },
  { label: 'groups', path: 'groups', isVisible: 'isViewGroupsEnabled' },
];

/** The header's logo (the package asks for `logo.svg` under the resource URL): a plain holdfast mark. */
const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 32" role="img" aria-label="holdfast"><path d="M4 3h20v11c0 8-6 13-10 15C10 27 4 22 4 14z" fill="#2b6cb0"/><text x="32" y="23" font-family="sans-serif" font-size="20" fill="#fff">holdfast</text></svg>`;

/** What holdfast offers of the package's pages: no UMA resources, organizations or verifiable credentials. */
function features(realm: LoadedRealm) {
  const settings = realm.realm.settings;
  return {
    isRegistrationEmailAsUsername: settings.registrationEmailAsUsername,
    isEditUserNameAllowed: settings.editUsernameAllowed,
    isLinkedAccountsEnabled: true,
    isMyResourcesEnabled: false,
    deleteAccountAllowed: false,
    updateEmailFeatureEnabled: false,
    updateEmailActionEnabled: false,
    isViewApplicationsEnabled: true,
    isViewGroupsEnabled: true,
    isViewOrganizationsEnabled: false,
    isOid4VciEnabled: false,
  };
}

/** The build's id, from its hashed entry name: a new build gets a new resource URL. */
function buildId(app: WebApp): string {
  return /-([A-Za-z0-9]+)\.js$/.exec(app.script)?.[1] ?? 'build';
}

export interface AccountConsole {
  /** Answers a browser's request for the console page of `realmName`. */
  page(request: FastifyRequest, reply: FastifyReply, realmName: string): Promise<FastifyReply>;
}

export function accountConsole(ctx: Context, app = WebApp.load('account')): AccountConsole {
  return {
    async page(request, reply, realmName) {
      const realm = await ctx.realms.getRealm(realmName);
      if (!realm) throw new ErrorPage(404, 'Realm does not exist');
      if (!realm.clientsByClientId.get(CLIENT_ID)?.enabled) throw new ErrorPage(404, 'The account console is not enabled in this realm.');
      if (!app) {
        return reply
          .code(503)
          .headers({ 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
          .send('The account console has not been built. Run `npm run build` (npm start does it) and restart holdfast.');
      }
      const base = baseUrl(request, ctx.config);
      const resourceUrl = `${base}/resources/${buildId(app)}/account/${THEME}`;
      const locale = realm.realm.settings.defaultLocale || 'en';
      const environment = {
        serverBaseUrl: base,
        authUrl: base,
        authServerUrl: base,
        realm: realm.realm.name,
        clientId: CLIENT_ID,
        baseUrl: `${base}/realms/${encodeURIComponent(realm.realm.name)}/account/`,
        resourceUrl,
        logo: '',
        logoUrl: '',
        locale,
        features: features(realm),
      };
      const title = realm.realm.settings.displayName || realm.realm.name;
      return reply.headers(CONSOLE_PAGE_HEADERS).send(app.page(`${title} account`, locale, resourceUrl, environment));
    },
  };
}

/** The built files and the menu under the resource URL. */
export async function accountConsoleResourceRoutes(app: FastifyInstance): Promise<void> {
  const web = WebApp.load('account');
  app.get(`/resources/:version/account/${THEME}/content.json`, async (_request, reply) =>
    reply.headers({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }).send(MENU),
  );
  app.get(`/resources/:version/account/${THEME}/logo.svg`, async (_request, reply) =>
    reply.headers({ 'content-type': 'image/svg+xml', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }).send(LOGO),
  );
  app.get(`/resources/:version/account/${THEME}/:file`, async (request, reply) => {
    const file = await web?.read((request.params as { file: string }).file);
    if (!file) return reply.code(404).headers({ 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).send('Not found');
    return reply.headers({ 'content-type': file.contentType, 'cache-control': IMMUTABLE, 'x-content-type-options': 'nosniff' }).send(file.body);
  });
}

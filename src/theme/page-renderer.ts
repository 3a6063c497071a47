/**
 * Renders a page of the login theme: picks the realm's theme and the page's language, merges the
 * theme's messages with the realm's localization texts, and hands the template one object (`it`,
 * described in themes/holdfast/README.md). Values reach the HTML only through the template
 * engine's escaping. A template that fails is logged and the default theme renders the page
 * instead, so a broken theme copy never shows a stack trace.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { baseUrl } from '../http/base-url.ts';
import { PAGE_HEADERS, errorPage } from '../http/html.ts';
import type { LoadedRealm } from '../realm/realm-service.ts';
import type { User } from '../realm/types.ts';
import type { AuthTab } from '../session/types.ts';
import { nativeName } from './locale-match.ts';
import { KC_LOCALE_PARAM, realmLocales, selectLocale } from './locale-selection.ts';
import { lookup, type Theme } from './theme.ts';

/** Where and for whom a page is shown. */
export interface PageScope {
  request: FastifyRequest;
  realm?: LoadedRealm;
  tab?: AuthTab;
  user?: User;
  /** Where the language picker's links lead; default: this URL with `kc_locale`, on GET requests only. */
  localeLink?: (tag: string) => string;
}

/** A text for the page: a message key, or a text used as it is when it is no key. */
export type PageText = string | { key: string; params?: string[] };

/** The alerts of a page: an error (about one field, or the page) and information. */
export interface PageMessage {
  error?: string;
  /** Parameters of the error's message (`invalidPasswordMinLengthMessage` takes the length). */
  params?: string[];
  field?: string;
  info?: string;
  values?: Record<string, string>;
}

export interface ThemePage {
  /** The template's file name without `.eta` (`login`, `login-otp`, …). */
  template: string;
  title: PageText;
  /** What this template shows besides the frame, under `it.page`. */
  data?: Record<string, unknown>;
  message?: PageMessage;
  status?: number;
  headers?: Record<string, string>;
}

/** The page's own URL (under the public path: routes see it without) with another language. */
function currentUrlWith(ctx: Context, request: FastifyRequest, tag: string): string | undefined {
  if (request.method !== 'GET') return undefined;
  const url = new URL(request.url, 'http://x');
  url.searchParams.set(KC_LOCALE_PARAM, tag);
  return `${pathPrefix(ctx, request)}${url.pathname}${url.search}`;
}

function pathPrefix(ctx: Context, request: FastifyRequest): string {
  try {
    return new URL(baseUrl(request, ctx.config)).pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

/** Everything a template gets, for one page. */
async function templateData(ctx: Context, theme: Theme, scope: PageScope, page: ThemePage): Promise<Record<string, unknown>> {
  const { request, realm } = scope;
  const locale = selectLocale(realm, scope);
  const realmTexts = realm ? await ctx.realms.repository.localizationTexts(realm.realm.id) : {};
  const messages = theme.messages(locale, realmTexts);
  const msg = (key: string, ...params: unknown[]) => lookup(messages, key, params.map(String));
  const text = (value: PageText | undefined, params: string[] = []): string => {
    if (value === undefined) return '';
    if (typeof value !== 'string') return lookup(messages, value.key, value.params ?? []);
    if (Object.hasOwn(messages, value)) return lookup(messages, value, params);
    const english = theme.englishKey(value);
    return english ? lookup(messages, english.key, params.length > 0 ? params : english.params) : value;
  };
  const supported = realmLocales(realm);
  const link = scope.localeLink ?? ((tag: string) => currentUrlWith(ctx, request, tag));
  const picker = supported.length > 1 && link(supported[0]) !== undefined;
  const settings = realm?.realm.settings;
  const message = page.message ?? {};
  return {
    lang: locale,
    title: text(page.title),
    realm: realm ? { name: realm.realm.name, displayName: settings?.displayName || realm.realm.name } : undefined,
    msg,
    text,
    url: { resources: `${pathPrefix(ctx, request)}/resources/${theme.version}/login/${theme.name}` },
    locale: picker
      ? {
          current: locale,
          label: messages[`locale_${locale}`] ?? nativeName(locale),
          supported: supported.map((tag) => ({ tag, label: messages[`locale_${tag}`] ?? nativeName(tag), url: link(tag), current: tag === locale })),
        }
      : undefined,
    message: {
      error: message.error === undefined ? undefined : text(message.error, message.params),
      field: message.field,
      // An info's parameters are the message's when it carries no error ("Authenticate to link your account with {0}").
      info: message.info === undefined ? undefined : text(message.info, message.error === undefined ? message.params : undefined),
    },
    values: message.values ?? {},
    page: page.data ?? {},
  };
}

export async function renderPage(ctx: Context, scope: PageScope, page: ThemePage): Promise<string> {
  const theme = ctx.themes.login(scope.realm?.realm.settings.loginTheme);
  try {
    return theme.render(page.template, await templateData(ctx, theme, scope, page));
  } catch (error) {
    ctx.log.error({ err: error, theme: theme.name, template: page.template }, 'login theme template failed');
    if (theme !== ctx.themes.defaultTheme && ctx.themes.defaultTheme.hasTemplate(page.template)) {
      try {
        return ctx.themes.defaultTheme.render(page.template, await templateData(ctx, ctx.themes.defaultTheme, scope, page));
      } catch (again) {
        ctx.log.error({ err: again, template: page.template }, 'default theme template failed');
      }
    }
    return errorPage('An internal server error has occurred');
  }
}

export async function sendPage(ctx: Context, reply: FastifyReply, scope: PageScope, page: ThemePage): Promise<FastifyReply> {
  const html = await renderPage(ctx, scope, page);
  if (page.status === 503) reply.header('retry-after', '1');
  return reply
    .code(page.status ?? 200)
    .headers({ ...PAGE_HEADERS, ...page.headers })
    .send(html);
}

/**
 * Which language a page is shown in, in Keycloak's order (DefaultLocaleSelectorProvider): with
 * the realm's `internationalizationEnabled` off, English; otherwise the first of these that
 * matches one of `supportedLocales` — the language picked on a page (`kc_locale`, kept in the
 * login's tab), the user's `locale` attribute, the application's `ui_locales` (of the login, or
 * of the logout request), the
 * `KEYCLOAK_LOCALE` cookie, the browser's Accept-Language — and else `defaultLocale`, else English.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { setRealmCookie } from '../http/cookies.ts';
import type { LoadedRealm } from '../realm/realm-service.ts';
import type { User } from '../realm/types.ts';
import type { AuthTab } from '../session/types.ts';
import { acceptedLanguages, bestMatch, isLanguageTag } from './locale-match.ts';

export const KEYCLOAK_LOCALE = 'KEYCLOAK_LOCALE';
export const KC_LOCALE_PARAM = 'kc_locale';

export interface LocaleSources {
  request: FastifyRequest;
  tab?: AuthTab;
  user?: User;
}

function queryParam(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value.length <= 1000 ? value : undefined;
}

function queryLocale(request: FastifyRequest): string | undefined {
  const value = queryParam(request, KC_LOCALE_PARAM);
  return value !== undefined && isLanguageTag(value) ? value : undefined;
}

/** The realm's languages when it has i18n on; none otherwise. */
export function realmLocales(realm: LoadedRealm | undefined): string[] {
  const settings = realm?.realm.settings;
  return settings?.internationalizationEnabled ? settings.supportedLocales : [];
}

export function selectLocale(realm: LoadedRealm | undefined, sources: LocaleSources): string {
  const settings = realm?.realm.settings;
  if (!settings?.internationalizationEnabled) return 'en';
  const supported = settings.supportedLocales;
  const { request, tab, user } = sources;
  const cookie = request.cookies?.[KEYCLOAK_LOCALE];
  const candidates: Array<string[] | undefined> = [
    [queryLocale(request) ?? ''],
    tab?.locale ? [tab.locale] : undefined,
    user?.attributes.locale?.slice(0, 1),
    // A page outside a login (logout) takes the application's ui_locales from its own URL.
    (tab ? tab.uiLocales : queryParam(request, 'ui_locales'))?.split(' ').slice(0, 10),
    cookie ? [cookie] : undefined,
    acceptedLanguages(request.headers['accept-language']),
  ];
  for (const group of candidates) {
    const match = group && bestMatch(supported, group);
    if (match) return match;
  }
  return settings.defaultLocale || 'en';
}

/**
 * A `kc_locale` on a page of the login: kept in the tab (so every later page of the login and its
 * mails use it) and in the `KEYCLOAK_LOCALE` cookie. Only a language the realm supports is taken.
 */
export function takeLocaleParam(request: FastifyRequest, reply: FastifyReply, realm: LoadedRealm, issuer: string, tab?: AuthTab): void {
  const requested = queryLocale(request);
  const tag = requested && bestMatch(realmLocales(realm), [requested]);
  if (!tag) return;
  if (tab) tab.locale = tag;
  setRealmCookie(request, reply, issuer, KEYCLOAK_LOCALE, tag, { httpOnly: true });
}

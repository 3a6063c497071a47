export { Themes, DEFAULT_THEME } from './themes.ts';
export { Theme, ThemeError, type RealmTexts } from './theme.ts';
export { renderPage, sendPage, type PageScope, type PageMessage, type PageText, type ThemePage } from './page-renderer.ts';
export { selectLocale, takeLocaleParam, realmLocales, KEYCLOAK_LOCALE, KC_LOCALE_PARAM } from './locale-selection.ts';
export { isLanguageTag, normalizeTag, bestMatch } from './locale-match.ts';
export { formatMessage } from './message-format.ts';
export { themeResourceRoutes } from './resource-routes.ts';
export { renderErrorPage } from './error-page.ts';

/**
 * Console texts: the console's own bundle, then the login theme's bundle for the words both use
 * (Username, Email, Cancel…), in the admin's locale with English behind it. Bundles are Java
 * `.properties` files like Keycloak's, bundled at build time.
 */
import { parseProperties } from '../../src/theme/properties.ts';
import { formatMessage } from '../../src/theme/message-format.ts';
import adminEn from './messages/messages_en.properties';
import loginEn from '../../themes/holdfast/login/messages/messages_en.properties';
import loginDe from '../../themes/holdfast/login/messages/messages_de.properties';
import loginEs from '../../themes/holdfast/login/messages/messages_es.properties';
import loginFr from '../../themes/holdfast/login/messages/messages_fr.properties';
import loginJa from '../../themes/holdfast/login/messages/messages_ja.properties';
import loginPtBr from '../../themes/holdfast/login/messages/messages_pt_BR.properties';

const LOGIN: Record<string, string> = { de: loginDe, es: loginEs, fr: loginFr, ja: loginJa, 'pt-BR': loginPtBr, pt: loginPtBr };

let bundles: Record<string, string>[] = [parseProperties(adminEn), parseProperties(loginEn)];

export function setLocale(locale: string): void {
  const login = LOGIN[locale] ?? LOGIN[locale.split('-')[0]];
  bundles = [...(login ? [parseProperties(login)] : []), parseProperties(adminEn), parseProperties(loginEn)];
  document.documentElement.lang = login ? locale : 'en';
}

/** The text of `key` with `{0}`… filled in; the key itself when no bundle has it. */
export function t(key: string, ...params: Array<string | number>): string {
  for (const bundle of bundles) {
    const text = bundle[key];
    if (text !== undefined) return formatMessage(text, params.map(String));
  }
  return key;
}

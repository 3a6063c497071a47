/**
 * The package's texts, as Keycloak's account app loads them: one bundle per language from
 * `/resources/{realm}/account/{lng}` (holdfast's account bundle with the realm's localization
 * texts over it), as `[{key, value}]`. A key the bundle lacks is shown as words made from the key
 * (`signedInDevices` → "Signed in devices") rather than as the bare key.
 */
import i18n from 'i18next';
import HttpBackend from 'i18next-fetch-backend';
import { initReactI18next } from 'react-i18next';
import type { AccountEnvironment } from '@keycloak/keycloak-account-ui';

function words(key: string): string {
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[._-]+/g, ' ').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export async function startI18n(environment: AccountEnvironment): Promise<void> {
  await i18n
    .use(HttpBackend)
    .use(initReactI18next)
    .init({
      lng: environment.locale,
      fallbackLng: 'en',
      supportedLngs: false as const,
      load: 'currentOnly',
      interpolation: { escapeValue: false },
      parseMissingKeyHandler: words,
      backend: {
        loadPath: `${environment.serverBaseUrl}/resources/${encodeURIComponent(environment.realm)}/account/{{lng}}`,
        parse: (data: string) => Object.fromEntries((JSON.parse(data) as { key: string; value: string }[]).map(({ key, value }) => [key, value])),
      },
    });
}

/**
 * Which settings each realm settings tab shows, grouped as Keycloak's console groups them. The
 * Email, Keys and Events tabs have their own pages; these are plain realm fields.
 */
import type { Draft, SettingGroup } from './setting-fields.ts';

/** What access and ID tokens can be signed with (holdfast refuses HMAC and `none` for them). */
const SIGNATURE_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const on = (name: string) => (draft: Draft) => draft[name] === true;

export const GENERAL: SettingGroup[] = [
  {
    heading: 'realmSettings.groupGeneral',
    fields: [
      { name: 'displayName', kind: 'text' },
      { name: 'enabled', kind: 'switch' },
      { name: 'sslRequired', kind: 'select', options: ['external', 'none', 'all'], hint: true },
    ],
  },
];

export const LOGIN: SettingGroup[] = [
  {
    heading: 'realmSettings.groupLoginScreen',
    fields: [
      { name: 'registrationAllowed', kind: 'switch' },
      { name: 'resetPasswordAllowed', kind: 'switch' },
      { name: 'rememberMe', kind: 'switch' },
    ],
  },
  {
    heading: 'realmSettings.groupEmailSettings',
    fields: [
      { name: 'registrationEmailAsUsername', kind: 'switch' },
      { name: 'loginWithEmailAllowed', kind: 'switch' },
      { name: 'duplicateEmailsAllowed', kind: 'switch' },
      { name: 'verifyEmail', kind: 'switch' },
    ],
  },
  { heading: 'realmSettings.groupUserInfo', fields: [{ name: 'editUsernameAllowed', kind: 'switch' }] },
];

export const THEMES: SettingGroup[] = [
  { heading: 'realmSettings.groupThemes', fields: [{ name: 'loginTheme', kind: 'text', hint: true }] },
  {
    heading: 'realmSettings.groupLocalization',
    fields: [
      { name: 'internationalizationEnabled', kind: 'switch' },
      { name: 'supportedLocales', kind: 'list', hint: true, shownWhen: on('internationalizationEnabled') },
      { name: 'defaultLocale', kind: 'text', hint: true, shownWhen: on('internationalizationEnabled') },
    ],
  },
];

export const SESSIONS: SettingGroup[] = [
  {
    heading: 'realmSettings.groupSsoSessions',
    fields: [
      { name: 'ssoSessionIdleTimeout', kind: 'time', hint: true },
      { name: 'ssoSessionMaxLifespan', kind: 'time', hint: true },
      { name: 'ssoSessionIdleTimeoutRememberMe', kind: 'time', hint: true },
      { name: 'ssoSessionMaxLifespanRememberMe', kind: 'time', hint: true },
    ],
  },
  {
    heading: 'realmSettings.groupClientSessions',
    fields: [
      { name: 'clientSessionIdleTimeout', kind: 'time', hint: true },
      { name: 'clientSessionMaxLifespan', kind: 'time', hint: true },
    ],
  },
  {
    heading: 'realmSettings.groupOfflineSessions',
    fields: [
      { name: 'offlineSessionIdleTimeout', kind: 'time', hint: true },
      { name: 'offlineSessionMaxLifespanEnabled', kind: 'switch' },
      { name: 'offlineSessionMaxLifespan', kind: 'time', shownWhen: on('offlineSessionMaxLifespanEnabled') },
      { name: 'clientOfflineSessionIdleTimeout', kind: 'time', hint: true },
      { name: 'clientOfflineSessionMaxLifespan', kind: 'time', hint: true, shownWhen: on('offlineSessionMaxLifespanEnabled') },
    ],
  },
  {
    heading: 'realmSettings.groupLoginTimeouts',
    fields: [
      { name: 'accessCodeLifespanLogin', kind: 'time', hint: true },
      { name: 'accessCodeLifespanUserAction', kind: 'time', hint: true },
    ],
  },
];

export const TOKENS: SettingGroup[] = [
  {
    heading: 'realmSettings.groupGeneralTokens',
    fields: [
      { name: 'defaultSignatureAlgorithm', kind: 'select', options: SIGNATURE_ALGORITHMS },
      { name: 'oauth2DeviceCodeLifespan', kind: 'time' },
      { name: 'oauth2DevicePollingInterval', kind: 'number', hint: true },
    ],
  },
  {
    heading: 'realmSettings.groupRefreshTokens',
    fields: [
      { name: 'revokeRefreshToken', kind: 'switch', hint: true },
      { name: 'refreshTokenMaxReuse', kind: 'number', hint: true, shownWhen: on('revokeRefreshToken') },
    ],
  },
  {
    heading: 'realmSettings.groupAccessTokens',
    fields: [
      { name: 'accessTokenLifespan', kind: 'time', hint: true },
      { name: 'accessTokenLifespanForImplicitFlow', kind: 'time' },
      { name: 'accessCodeLifespan', kind: 'time', hint: true },
    ],
  },
  {
    heading: 'realmSettings.groupActionTokens',
    fields: [
      { name: 'actionTokenGeneratedByUserLifespan', kind: 'time', hint: true },
      { name: 'actionTokenGeneratedByAdminLifespan', kind: 'time', hint: true },
    ],
  },
];

/** `GET/PUT /admin/realms/{realm}/events/config` (RealmEventsConfigRepresentation). */
export const EVENTS_CONFIG: SettingGroup[] = [
  {
    heading: 'realmSettings.groupUserEvents',
    fields: [
      { name: 'eventsEnabled', kind: 'switch' },
      { name: 'eventsExpiration', kind: 'time', hint: true, shownWhen: on('eventsEnabled') },
      { name: 'enabledEventTypes', kind: 'list', hint: true, shownWhen: on('eventsEnabled') },
    ],
  },
  {
    heading: 'realmSettings.groupAdminEvents',
    fields: [
      { name: 'adminEventsEnabled', kind: 'switch' },
      { name: 'adminEventsDetailsEnabled', kind: 'switch', hint: true, shownWhen: on('adminEventsEnabled') },
    ],
  },
];

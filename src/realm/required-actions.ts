/**
 * The required actions a realm registers, with Keycloak 26's names, priorities and defaults
 * (as `GET /admin/realms/{r}/authentication/required-actions` answers on a new realm), limited
 * to the ones holdfast can run. A realm stored by an earlier release gets these when loaded.
 */
import type { RequiredActionProvider } from './types.ts';

/** Every required action holdfast runs: providerId, display name, enabled on a new realm, priority. */
export const REQUIRED_ACTION_PROVIDERS: ReadonlyArray<Omit<RequiredActionProvider, 'alias' | 'defaultAction' | 'config'>> = [
  { providerId: 'TERMS_AND_CONDITIONS', name: 'Terms and Conditions', enabled: false, priority: 20 },
  { providerId: 'UPDATE_PROFILE', name: 'Update Profile', enabled: true, priority: 40 },
  { providerId: 'VERIFY_EMAIL', name: 'Verify Email', enabled: true, priority: 50 },
  { providerId: 'CONFIGURE_TOTP', name: 'Configure OTP', enabled: true, priority: 54 },
  { providerId: 'UPDATE_PASSWORD', name: 'Update Password', enabled: true, priority: 57 },
  { providerId: 'UPDATE_EMAIL', name: 'Update Email', enabled: false, priority: 70 },
];

export function defaultRequiredActions(): RequiredActionProvider[] {
  return REQUIRED_ACTION_PROVIDERS.map((p) => ({ alias: p.providerId, defaultAction: false, config: {}, ...p }));
}

/** Sorted as Keycloak lists them: by priority, then by alias. */
export function sortRequiredActions(actions: RequiredActionProvider[]): RequiredActionProvider[] {
  return [...actions].sort((a, b) => a.priority - b.priority || a.alias.localeCompare(b.alias));
}

/** The required actions a user created through the admin API starts with. */
export function defaultActionAliases(actions: RequiredActionProvider[]): string[] {
  return sortRequiredActions(actions)
    .filter((a) => a.enabled && a.defaultAction)
    .map((a) => a.alias);
}

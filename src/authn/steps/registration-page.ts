/**
 * The registration page (`/realms/{realm}/login-actions/registration`), with the ids and input
 * names of Keycloak's login theme (`kc-register-form`, `firstName`, `lastName`, `email`,
 * `username`, `password`, `password-confirm`, `input-error-<field>`). The fields are the realm's user profile as a registering user
 * may fill it in; the password fields follow the username (or the email, when the email is the
 * username), as in Keycloak. The page is the theme's `register` template; its texts are
 * Keycloak's message keys in the theme's bundles. REGISTRATION_TEXTS keeps the English texts the
 * form's check answers with (the page shows them in its language).
 */
import { profileMetadata, userProfileOf, type LoadedRealm, type UPAttributeMetadata } from '../../realm/index.ts';
import type { AuthTab } from '../../session/types.ts';
import type { ThemePage } from '../../theme/index.ts';
import type { StepMessage } from '../login-step.ts';

/** Keycloak's message keys → English texts (messages_en.properties). */
export const REGISTRATION_TEXTS = {
  registerTitle: 'Register',
  doRegister: 'Register',
  noAccount: 'New user?',
  backToLogin: '« Back to Login',
  username: 'Username',
  email: 'Email',
  firstName: 'First name',
  lastName: 'Last name',
  password: 'Password',
  passwordConfirm: 'Confirm password',
  registrationNotAllowedMessage: 'Registration not allowed',
  missingPasswordMessage: 'Please specify password.',
  invalidPasswordConfirmMessage: "Password confirmation doesn't match.",
  passwordTooLong: 'Invalid password: maximum length {0}.',
} as const;

export const REGISTRATION_EXECUTION = 'registration-page-form';

const AUTOCOMPLETE: Record<string, string> = { username: 'username', email: 'email', firstName: 'given-name', lastName: 'family-name' };

/** Where the login page's "Register" link leads (GET): the registration page of this tab. */
export function registrationUrl(issuer: string, tabId: string, tab: AuthTab): string {
  return `${issuer}/login-actions/registration?${new URLSearchParams({ client_id: tab.clientId, tab_id: tabId })}`;
}

/** "« Back to Login": the login form of this tab. */
export function backToLoginUrl(issuer: string, tabId: string, tab: AuthTab): string {
  return `${issuer}/login-actions/authenticate?${new URLSearchParams({ client_id: tab.clientId, tab_id: tabId })}`;
}

/** A profile attribute's label: `${key}` is that message key (the page's language), any other name is shown as it is. */
function label(attribute: UPAttributeMetadata): string {
  return /^\$\{(.+)\}$/.exec(attribute.displayName)?.[1] ?? attribute.displayName;
}

/** The profile's attributes a registering user fills in, in profile order. */
export function registrationAttributes(realm: LoadedRealm, tab: AuthTab): UPAttributeMetadata[] {
  const settings = realm.realm.settings;
  const context = { role: 'user' as const, scopes: tab.scope.split(' ').filter((s) => s !== ''), editUsernameAllowed: settings.editUsernameAllowed };
  return profileMetadata(userProfileOf(realm), context).attributes.filter((a) => !a.readOnly && !(a.name === 'username' && settings.registrationEmailAsUsername));
}

/** A field of the form as `register.eta` lays it out; `label` is a message key or a text. */
interface RegisterField {
  name: string;
  label: string;
  type: 'text' | 'email' | 'password';
  autocomplete?: string;
}

/**
 * The `register` template's page. Errors stay as the form's check wrote them (English texts or
 * message keys); the template shows each in the page's language under its field.
 */
export function registrationPage(realm: LoadedRealm, tab: AuthTab, actionUrl: string, loginUrl: string, message: StepMessage): ThemePage {
  const emailAsUsername = realm.realm.settings.registrationEmailAsUsername;
  const fields: RegisterField[] = [];
  for (const attribute of registrationAttributes(realm, tab)) {
    fields.push({ name: attribute.name, label: label(attribute), type: attribute.name === 'email' ? 'email' : 'text', autocomplete: AUTOCOMPLETE[attribute.name] });
    if (attribute.name === (emailAsUsername ? 'email' : 'username')) {
      fields.push({ name: 'password', label: 'password', type: 'password', autocomplete: 'new-password' });
      fields.push({ name: 'password-confirm', label: 'passwordConfirm', type: 'password', autocomplete: 'new-password' });
    }
  }
  const errors: Record<string, string> = { ...message.fieldErrors };
  if (message.field !== undefined && message.error !== undefined) errors[message.field] ??= message.error;
  const pageError = message.field === undefined ? { error: message.error, params: message.params } : {};
  const pageMessage = { ...pageError, info: message.info, values: message.values };
  return { template: 'register', title: 'registerTitle', data: { action: actionUrl, loginUrl, fields, errors }, message: pageMessage, status: message.status };
}

/**
 * The registration page (`/realms/{realm}/login-actions/registration`), with the ids and input
 * names of Keycloak's login theme (`kc-register-form`, `firstName`, `lastName`, `email`,
 * `username`, `password`, `password-confirm`, `input-error-<field>`), and the "New user?
 * Register" link of the login page. The fields are the realm's user profile as a registering user
 * may fill it in; the password fields follow the username (or the email, when the email is the
 * username), as in Keycloak. Every user-visible text is in REGISTRATION_TEXTS under Keycloak's
 * message keys.
 */
import { escapeHtml } from '../../http/html.ts';
import { profileMetadata, userProfileOf, type LoadedRealm, type UPAttributeMetadata } from '../../realm/index.ts';
import type { AuthTab } from '../../session/types.ts';
import type { StepMessage, StepPage } from '../login-step.ts';
import { alerts, form, input, submit, title } from '../step-pages.ts';

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

/** The login page's "New user? Register" box (Keycloak's `kc-registration`). */
export function registrationLink(url: string): string {
  return `<div id="kc-registration-container"><div id="kc-registration"><span>${escapeHtml(REGISTRATION_TEXTS.noAccount)} <a href="${escapeHtml(url)}">${escapeHtml(REGISTRATION_TEXTS.doRegister)}</a></span></div></div>`;
}

function label(attribute: UPAttributeMetadata): string {
  const key = /^\$\{(.+)\}$/.exec(attribute.displayName)?.[1];
  if (key !== undefined && Object.hasOwn(REGISTRATION_TEXTS, key)) return REGISTRATION_TEXTS[key as keyof typeof REGISTRATION_TEXTS];
  return key ?? attribute.displayName;
}

/** The profile's attributes a registering user fills in, in profile order. */
export function registrationAttributes(realm: LoadedRealm, tab: AuthTab): UPAttributeMetadata[] {
  const settings = realm.realm.settings;
  const context = { role: 'user' as const, scopes: tab.scope.split(' ').filter((s) => s !== ''), editUsernameAllowed: settings.editUsernameAllowed };
  return profileMetadata(userProfileOf(realm), context).attributes.filter((a) => !a.readOnly && !(a.name === 'username' && settings.registrationEmailAsUsername));
}

export function registrationPage(realm: LoadedRealm, tab: AuthTab, actionUrl: string, loginUrl: string, message: StepMessage): StepPage {
  const emailAsUsername = realm.realm.settings.registrationEmailAsUsername;
  const fields: string[] = [];
  let first = true;
  for (const attribute of registrationAttributes(realm, tab)) {
    const type = attribute.name === 'email' ? ('email' as const) : ('text' as const);
    fields.push(input({ id: attribute.name, label: label(attribute), type, autocomplete: AUTOCOMPLETE[attribute.name], autofocus: first }, message));
    first = false;
    if (attribute.name === (emailAsUsername ? 'email' : 'username')) {
      fields.push(input({ id: 'password', label: REGISTRATION_TEXTS.password, type: 'password', autocomplete: 'new-password' }, message));
      fields.push(input({ id: 'password-confirm', label: REGISTRATION_TEXTS.passwordConfirm, type: 'password', autocomplete: 'new-password' }, message));
    }
  }
  const options = `<div id="kc-form-options"><span><a href="${escapeHtml(loginUrl)}">${escapeHtml(REGISTRATION_TEXTS.backToLogin)}</a></span></div>`;
  const body = [title(REGISTRATION_TEXTS.registerTitle), alerts(message), form('kc-register-form', actionUrl, [...fields, options, submit('kc-register', REGISTRATION_TEXTS.doRegister)].join('\n'))].join('\n');
  return { title: REGISTRATION_TEXTS.registerTitle, body, status: message.status };
}

/**
 * Building blocks for a page built in code (a StepPage with `title` and `body`), with the ids and
 * classes of Keycloak's keycloak.v2 login theme (`kc-page-title`, `input-error-<field>`,
 * `kc-feedback-text`). The login theme shows such a body in its frame (`page.eta`), in English;
 * pages of the theme are templates instead (themes/holdfast/README.md, "Adding a page"). Every
 * value goes through escapeHtml.
 */
import { escapeHtml } from '../http/html.ts';
import type { StepMessage } from './login-step.ts';

export function title(text: string): string {
  return `<h1 id="kc-page-title">${escapeHtml(text)}</h1>`;
}

/** The page-level alerts: info, and an error not tied to one field. */
export function alerts(message: StepMessage): string {
  const info = message.info ? `<div class="alert-info"><span id="kc-info-message" class="kc-feedback-text">${escapeHtml(message.info)}</span></div>` : '';
  const error = message.error && !message.field ? `<div class="alert-error"><span id="input-error" class="kc-feedback-text" aria-live="polite">${escapeHtml(message.error)}</span></div>` : '';
  return info + error;
}

export interface InputField {
  id: string;
  label: string;
  type?: 'text' | 'password' | 'email';
  autocomplete?: string;
  autofocus?: boolean;
  /** The `name` when it differs from the id. */
  name?: string;
}

/** A labelled input; the message's error shows under it when it is about this field. */
export function input(field: InputField, message: StepMessage, value = ''): string {
  const name = field.name ?? field.id;
  const text = message.fieldErrors?.[name] ?? (message.field === name ? message.error : undefined);
  const invalid = text !== undefined && text !== '';
  const attributes = [
    `id="${escapeHtml(field.id)}"`,
    `name="${escapeHtml(name)}"`,
    `type="${field.type ?? 'text'}"`,
    field.autocomplete ? `autocomplete="${escapeHtml(field.autocomplete)}"` : '',
    field.autofocus ? 'autofocus' : '',
    field.type === 'password' ? '' : `value="${escapeHtml(message.values?.[name] ?? value)}"`,
    invalid ? 'aria-invalid="true"' : '',
  ].filter((a) => a !== '');
  const error = invalid ? `<span id="input-error-${escapeHtml(name)}" class="alert-error" aria-live="polite">${escapeHtml(text)}</span>` : '';
  return `<label for="${escapeHtml(field.id)}">${escapeHtml(field.label)}</label>\n<input ${attributes.join(' ')}>\n${error}`;
}

export function form(id: string, action: string, content: string): string {
  return `<form id="${escapeHtml(id)}" method="post" action="${escapeHtml(action)}">\n${content}\n</form>`;
}

export function submit(id: string, value: string, name?: string): string {
  return `<input class="kc-login" id="${escapeHtml(id)}"${name ? ` name="${escapeHtml(name)}"` : ''} type="submit" value="${escapeHtml(value)}">`;
}

/** Keycloak's "Sign out from other devices" box on the password and OTP setup pages. */
export function logoutSessionsBox(): string {
  return '<label><input type="checkbox" id="logout-sessions" name="logout-sessions" value="on" checked> Sign out from other devices</label>';
}

/**
 * Mails as plain text and HTML from a message bundle: the subject, the body and the HTML body of
 * a mail are three keys (`…Subject`, `…Body`, `…BodyHtml`). Bundles are per locale and fall back
 * to English key by key, so a translation may be partial; adding a language is one file in
 * ./messages and one line here.
 */
import type { MailMessage } from './mail-sender.ts';
import { de } from './messages/de.ts';
import { en } from './messages/en.ts';
import { es } from './messages/es.ts';
import { fr } from './messages/fr.ts';
import { ja } from './messages/ja.ts';
import { ptBR } from './messages/pt-BR.ts';

const BUNDLES: Record<string, Record<string, string>> = { en, de, fr, es, 'pt-BR': ptBR, ja };

export type MailKind = 'emailTest' | 'emailVerification' | 'emailUpdateConfirmation' | 'passwordReset' | 'executeActions' | 'identityProviderLink';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function message(locale: string | undefined, key: string): string {
  const bundle = (tag: string | undefined) => (tag !== undefined && Object.hasOwn(BUNDLES, tag) ? BUNDLES[tag] : undefined);
  return bundle(locale)?.[key] ?? bundle(locale?.split('-')[0])?.[key] ?? en[key] ?? key;
}

function format(template: string, params: string[], escape: (text: string) => string): string {
  return template.replace(/\{(\d+)\}/g, (whole, i: string) => (params[Number(i)] === undefined ? whole : escape(params[Number(i)])));
}

/** "5 minutes", "12 hours": how long a link stays valid, in the largest whole unit. */
export function linkExpiration(seconds: number, locale?: string): string {
  const [unit, size] = seconds % 86_400 === 0 ? ['days', 86_400] : seconds % 3600 === 0 ? ['hours', 3600] : seconds % 60 === 0 ? ['minutes', 60] : ['seconds', 1];
  return format(message(locale, `linkExpirationFormatter.timePeriodUnit.${unit}`), [String(seconds / (size as number))], String);
}

export function requiredActionName(action: string, locale?: string): string {
  return message(locale, `requiredAction.${action}`).replace(/^requiredAction\./, '');
}

export function renderMail(kind: MailKind, to: string, params: string[], locale?: string): MailMessage {
  return {
    to,
    subject: format(message(locale, `${kind}Subject`), params, String),
    text: format(message(locale, `${kind}Body`), params, String),
    html: `<!DOCTYPE html><html><body>${format(message(locale, `${kind}BodyHtml`), params, escapeHtml)}</body></html>`,
  };
}

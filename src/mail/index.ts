/** E-mail: the realm's SMTP settings, the sender's queue, and the localized templates. */
export * from './smtp-settings.ts';
export * from './mail-sender.ts';
export * from './mail-templates.ts';

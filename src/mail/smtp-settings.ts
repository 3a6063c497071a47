/**
 * A realm's `smtpServer` map as Keycloak stores it (every value a string: `host`, `port`, `from`,
 * `fromDisplayName`, `replyTo`, `replyToDisplayName`, `envelopeFrom`, `ssl`, `starttls`, `auth`,
 * `user`, `password`), checked and turned into what the mail sender needs. The password is kept
 * sealed under the realm's data key and shown as Keycloak shows it, `**********`; a body that
 * sends that mask back keeps the stored password.
 */
import { open, seal } from '../crypto/index.ts';
import { ShapeError } from '../admin/json-shape.ts';

export const SECRET_MASK = '**********';

const KNOWN_KEYS = new Set([
  'host',
  'port',
  'from',
  'fromDisplayName',
  'replyTo',
  'replyToDisplayName',
  'envelopeFrom',
  'ssl',
  'starttls',
  'auth',
  'user',
  'password',
  'authType',
  'allowutf8',
  'debug',
]);

export interface SmtpConfig {
  host: string;
  port: number;
  /** Implicit TLS (`ssl`), usually port 465. */
  ssl: boolean;
  /** Upgrade with STARTTLS and refuse to go on without it. */
  starttls: boolean;
  auth?: { user: string; pass: string };
  from: string;
  fromDisplayName?: string;
  replyTo?: string;
  replyToDisplayName?: string;
  envelopeFrom?: string;
}

const sealContext = (realmId: string) => `smtp:${realmId}`;
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

/** Refuses what would make every mail fail later (or silently go elsewhere): checked on every write. */
export function checkSmtpServer(smtp: Record<string, string>, path = 'smtpServer'): void {
  if (Object.keys(smtp).length === 0) return;
  for (const key of Object.keys(smtp)) {
    if (!KNOWN_KEYS.has(key)) throw new ShapeError(`${path}.${key}`, 'unknown SMTP setting');
  }
  if (smtp.authType !== undefined && smtp.authType !== 'basic') throw new ShapeError(`${path}.authType`, `SMTP authentication '${smtp.authType}' is not supported by holdfast`);
  if (smtp.port !== undefined && smtp.port !== '' && !(/^\d{1,5}$/.test(smtp.port) && Number(smtp.port) >= 1 && Number(smtp.port) <= 65535)) {
    throw new ShapeError(`${path}.port`, 'expected a port number');
  }
  for (const key of ['ssl', 'starttls', 'auth', 'allowutf8', 'debug']) {
    if (smtp[key] !== undefined && smtp[key] !== '' && smtp[key] !== 'true' && smtp[key] !== 'false') throw new ShapeError(`${path}.${key}`, "expected 'true' or 'false'");
  }
  for (const key of ['from', 'replyTo', 'envelopeFrom']) {
    if (smtp[key] !== undefined && smtp[key] !== '' && !ADDRESS.test(smtp[key])) throw new ShapeError(`${path}.${key}`, 'expected an e-mail address');
  }
}

/**
 * The map to store: checked, the password sealed (or kept when the body sends the mask or
 * leaves it out while auth stays on).
 */
export function storedSmtpServer(given: Record<string, string>, previous: Record<string, string>, sealKey: Buffer, realmId: string): Record<string, string> {
  checkSmtpServer(given);
  const next = { ...given };
  if (next.password === SECRET_MASK) {
    if (previous.password !== undefined) next.password = previous.password;
    else delete next.password;
  } else if (next.password !== undefined && next.password !== '') {
    next.password = seal(sealKey, next.password, sealContext(realmId));
  } else delete next.password;
  return next;
}

/** For the admin API and exports: never the password. */
export function maskedSmtpServer(smtp: Record<string, string>): Record<string, string> {
  return smtp.password === undefined ? smtp : { ...smtp, password: SECRET_MASK };
}

/** The stored map as the sender needs it; undefined when no host or sender is set. */
export function smtpConfig(smtp: Record<string, string>, sealKey: Buffer, realmId: string, sealed = true): SmtpConfig | undefined {
  if (!smtp.host || !smtp.from) return undefined;
  const ssl = smtp.ssl === 'true';
  const password = smtp.password === undefined ? '' : sealed ? open(sealKey, smtp.password, sealContext(realmId)) : smtp.password;
  return {
    host: smtp.host,
    port: smtp.port ? Number(smtp.port) : ssl ? 465 : 25,
    ssl,
    starttls: smtp.starttls === 'true',
    auth: smtp.auth === 'true' ? { user: smtp.user ?? '', pass: password } : undefined,
    from: smtp.from,
    fromDisplayName: smtp.fromDisplayName || undefined,
    replyTo: smtp.replyTo || undefined,
    replyToDisplayName: smtp.replyToDisplayName || undefined,
    envelopeFrom: smtp.envelopeFrom || undefined,
  };
}

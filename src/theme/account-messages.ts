/**
 * The account console's texts: the `account/messages/` bundles of the built-in theme, read once.
 * Keycloak's account theme carries its console's words the same way; holdfast has one account
 * look, so there is no account theme to pick, only these bundles (English, then the language,
 * then the regional variant, each over the one before).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseProperties } from './properties.ts';
import { builtInThemesDir, DEFAULT_THEME } from './themes.ts';

const bundles = new Map<string, Record<string, string>>();

function bundle(tag: string): Record<string, string> {
  let known = bundles.get(tag);
  if (known) return known;
  const file = path.join(builtInThemesDir(), DEFAULT_THEME, 'account', 'messages', `messages_${tag.replace('-', '_')}.properties`);
  known = fs.existsSync(file) ? parseProperties(fs.readFileSync(file, 'utf8')) : {};
  bundles.set(tag, known);
  return known;
}

/** The account texts for `locale` (an already normalized language tag). */
export function accountMessages(locale: string): Record<string, string> {
  const chain = [...new Set(['en', locale.split('-')[0], locale])];
  return Object.assign({}, ...chain.map(bundle));
}

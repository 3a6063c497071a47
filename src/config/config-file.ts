/**
 * The configuration file, in the form of Keycloak's `conf/keycloak.conf`: one `key=value` per
 * line, the key a flag's name without its dashes (`db-url=postgres://…`), `#` starting a comment
 * line. It is `--config-file`, else `HOLDFAST_CONFIG_FILE`, else `conf/holdfast.conf` in the
 * working directory when that exists. An unknown key or a key given twice is refused with its
 * line number: a setting that would be ignored is a setting the operator believes is in force.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config-error.ts';
import { nearestName } from './did-you-mean.ts';
import { SERVER_FLAGS, envName, type ServerFlagName } from './flag-table.ts';

export const DEFAULT_CONFIG_FILE = 'conf/holdfast.conf';

export interface ConfigFile {
  file: string;
  values: Map<ServerFlagName, string>;
}

/** Which file to read: explicit (must exist) or the default one (only if present). */
export function locateConfigFile(flagValue: string | undefined, env: NodeJS.ProcessEnv): { file: string; required: boolean } | undefined {
  const explicit = flagValue ?? (env[envName('config-file')] || undefined);
  if (explicit !== undefined) return { file: path.resolve(explicit), required: true };
  const fallback = path.resolve(DEFAULT_CONFIG_FILE);
  return fs.existsSync(fallback) ? { file: fallback, required: false } : undefined;
}

export function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`--config-file: cannot read '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const values = new Map<ServerFlagName, string>();
  const known = Object.keys(SERVER_FLAGS).filter((name) => name !== 'config-file');
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `${file}:${index + 1}`;
    const equals = line.indexOf('=');
    if (equals <= 0) throw new ConfigError(`${where}: expected key=value, got '${line.slice(0, 40)}'`);
    const key = line.slice(0, equals).trim();
    const value = line.slice(equals + 1).trim();
    if (!known.includes(key)) {
      const nearest = nearestName(key, known);
      throw new ConfigError(`${where}: unknown key '${key}'${nearest ? ` (did you mean ${nearest}?)` : ''}`);
    }
    if (values.has(key as ServerFlagName)) throw new ConfigError(`${where}: '${key}' is set twice`);
    values.set(key as ServerFlagName, value);
  }
  return { file, values };
}

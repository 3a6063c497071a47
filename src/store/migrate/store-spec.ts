/**
 * What `--from` and `--to` of `holdfast migrate-store` name: an embedded data directory
 * (`sqlite:<dir>`), a PostgreSQL database (`postgres://…`), or a Redis/Valkey keyspace for the
 * sessions (`redis://…`, the key prefix as `?prefix=`, default `holdfast:`).
 */
import path from 'node:path';
import { ConfigError } from '../../config/index.ts';

export type StoreSpec =
  | { kind: 'sqlite'; dataDir: string; text: string }
  | { kind: 'postgres'; url: string; text: string }
  | { kind: 'redis'; url: string; keyPrefix: string; text: string };

export const DEFAULT_KEY_PREFIX = 'holdfast:';

export function parseStoreSpec(flag: string, value: string): StoreSpec {
  if (value.startsWith('sqlite:')) {
    const dir = value.slice('sqlite:'.length);
    if (dir === '' || dir === ':memory:') throw new ConfigError(`--${flag}: sqlite:<data-dir> needs a directory`);
    return { kind: 'sqlite', dataDir: path.resolve(dir), text: `sqlite:${path.resolve(dir)}` };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`--${flag}: expected sqlite:<data-dir>, postgres://… or redis://…, got '${value.slice(0, 80)}'`);
  }
  // Printed in progress lines: never the password.
  const shown = () => {
    const copy = new URL(url);
    if (copy.password) copy.password = '***';
    return copy.toString();
  };
  if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') return { kind: 'postgres', url: value, text: shown() };
  if (url.protocol === 'redis:' || url.protocol === 'rediss:') {
    const keyPrefix = url.searchParams.get('prefix') ?? DEFAULT_KEY_PREFIX;
    url.searchParams.delete('prefix');
    if (keyPrefix === '') throw new ConfigError(`--${flag}: ?prefix= must not be empty`);
    return { kind: 'redis', url: url.toString(), keyPrefix, text: `${shown()} (prefix ${keyPrefix})` };
  }
  throw new ConfigError(`--${flag}: expected sqlite:<data-dir>, postgres://… or redis://…, got a ${url.protocol} URL`);
}

/**
 * The themes an operator can pick with a realm's `loginTheme`: folders under `--themes-dir`
 * first, then the `themes/` folder shipped with holdfast, whose `holdfast` theme is the default
 * (also for Keycloak's own names `keycloak` and `keycloak.v2`, which realm files carry). A theme
 * is read once, on first use; one that cannot be read is logged and the default is used, so a
 * broken copy never takes the login pages down. The default must load, or holdfast does not start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import { Theme, readThemeFolder } from './theme.ts';

export const DEFAULT_THEME = 'holdfast';
const KEYCLOAK_NAMES = new Set(['keycloak', 'keycloak.v2', 'base']);
const THEME_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Names looked up that are not there, remembered (up to this many) so each is logged once. */
const MAX_MISSING = 100;

/**
 * The `themes/` folder shipped with holdfast: above the running module (src/theme/ or the bundle
 * in dist/), else above the working directory (a bundle copied elsewhere, started from the package).
 */
export function builtInThemesDir(): string {
  for (let dir of [path.dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    for (let i = 0; i < 6; i++) {
      if (fs.existsSync(path.join(dir, 'themes', DEFAULT_THEME, 'login'))) return path.join(dir, 'themes');
      dir = path.dirname(dir);
    }
  }
  throw new Error(`the built-in themes folder (themes/${DEFAULT_THEME}) was not found above the program or the working directory`);
}

export class Themes {
  private readonly dirs: string[];
  private readonly loaded = new Map<string, Theme>();
  private readonly missing = new Set<string>();
  readonly defaultTheme: Theme;

  constructor(
    operatorDir: string | undefined,
    private readonly log: FastifyBaseLogger,
  ) {
    this.dirs = [...(operatorDir ? [operatorDir] : []), builtInThemesDir()];
    this.defaultTheme = this.load(DEFAULT_THEME);
    this.loaded.set(DEFAULT_THEME, this.defaultTheme);
  }

  /** The theme a realm's `loginTheme` names, or the default. */
  login(name: string | undefined): Theme {
    if (!name || KEYCLOAK_NAMES.has(name)) return this.defaultTheme;
    const known = this.loaded.get(name);
    if (known) return known;
    if (this.missing.has(name) || !THEME_NAME.test(name)) return this.defaultTheme;
    try {
      const theme = this.load(name);
      this.loaded.set(name, theme);
      return theme;
    } catch (error) {
      if (this.missing.size < MAX_MISSING) this.missing.add(name);
      this.log.warn({ theme: name, reason: (error as Error).message }, 'login theme cannot be used; the default theme is shown');
      return this.defaultTheme;
    }
  }

  /** Every theme folder's name, for serverinfo and the admin console's choice. */
  names(): string[] {
    const names = new Set<string>();
    for (const dir of this.dirs) {
      if (!fs.existsSync(dir)) continue;
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory() && THEME_NAME.test(entry.name) && fs.existsSync(path.join(dir, entry.name, 'login'))) names.add(entry.name);
      }
    }
    return [...names].sort();
  }

  private folderOf(name: string): string {
    for (const dir of this.dirs) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(path.join(candidate, 'login'))) return candidate;
    }
    throw new Error(`no theme '${name}' in ${this.dirs.join(', ')}`);
  }

  private load(name: string): Theme {
    const chain: ReturnType<typeof readThemeFolder>[] = [];
    for (let next: string | undefined = name; next !== undefined; ) {
      if (chain.some((f) => f.name === next)) throw new Error(`theme '${name}': its parents form a loop`);
      if (chain.length > 5) throw new Error(`theme '${name}': more than 5 parents`);
      if (!THEME_NAME.test(next)) throw new Error(`theme '${name}': parent '${next}' is not a theme name`);
      const folder = readThemeFolder(next, this.folderOf(next));
      chain.push(folder);
      next = folder.parent;
    }
    return new Theme(chain);
  }
}

/**
 * A browser app built by scripts/build-web.ts into dist/web/<name>/: its manifest, the list of its
 * files, and its index page. A file is read from disk when a browser asks for it, not held in
 * memory: the account console's build with its source maps is ~11 MB, which every node carried
 * from its first second while browsers, caching the files as immutable, rarely ask twice. The
 * page carries the app's environment as a JSON data block (escaped so it cannot close the
 * element), so the CSP allows scripts from 'self' only and no inline script at all. Built files have content-hashed names and are cached as immutable; the
 * index is never cached, so a new build is picked up on the next load.
 */
import fs from 'node:fs';
import path from 'node:path';
import { builtInThemesDir } from '../theme/themes.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Headers of a console page: its own origin only, never framed by another site, nothing cached. */
export const CONSOLE_PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-cache, no-store, must-revalidate',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface WebFile {
  path: string;
  contentType: string;
}

export class WebApp {
  private constructor(
    readonly name: string,
    readonly script: string,
    readonly styles: string[],
    private readonly files: Map<string, WebFile>,
  ) {}

  /** The app as built, or undefined when it has not been built (the routes then say so). */
  static load(name: string, webDir = path.join(path.dirname(builtInThemesDir()), 'dist', 'web')): WebApp | undefined {
    const dir = path.join(webDir, name);
    let manifest: { script: string; styles: string[] };
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    } catch {
      return undefined;
    }
    const files = new Map<string, WebFile>();
    for (const file of fs.readdirSync(dir)) {
      const type = CONTENT_TYPES[path.extname(file)];
      if (type && file !== 'manifest.json') files.set(file, { path: path.join(dir, file), contentType: type });
    }
    return new WebApp(name, manifest.script, manifest.styles, files);
  }

  /** A built file's bytes and type; undefined for a name not in the build (or gone since: a rebuild replaced it). */
  async read(name: string): Promise<{ body: Buffer; contentType: string } | undefined> {
    const file = this.files.get(name);
    if (!file) return undefined;
    try {
      return { body: await fs.promises.readFile(file.path), contentType: file.contentType };
    } catch {
      return undefined;
    }
  }

  /** The index page: the environment block, the style sheets and the module script under `assetBase`. */
  page(title: string, lang: string, assetBase: string, environment: Record<string, unknown>): string {
    const json = JSON.stringify(environment).replace(/</g, '\\u003c');
    const styles = this.styles.map((s) => `<link rel="stylesheet" href="${assetBase}/${s}">`).join('\n    ');
    return `<!doctype html>
<html lang="${lang}">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light dark">
    <title>${title}</title>
    <link rel="icon" href="data:,">
    ${styles}
    <script type="application/json" id="environment">${json}</script>
    <script type="module" src="${assetBase}/${this.script}"></script>
  </head>
  <body>
    <div id="app"><p aria-busy="true">Loading…</p></div>
    <noscript>This console needs JavaScript.</noscript>
  </body>
</html>
`;
  }
}

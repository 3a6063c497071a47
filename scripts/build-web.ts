/**
 * Builds the browser apps under web/ into dist/web/<app>/ with esbuild: content-hashed file names
 * (served as immutable) and a manifest.json naming the entry script and style sheet, which the
 * server reads to write each console's index page. Run by `npm run build` (so by `npm start`) and
 * by `npm test` before the tests; nothing is fetched at run time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface WebManifest {
  script: string;
  styles: string[];
}

/** Bundles one app's entry into `outDir` and writes its manifest; `jsx` names the JSX runtime. */
export async function buildWebApp(entry: string, outDir: string, jsx: 'preact' | 'react' = 'preact'): Promise<WebManifest> {
  fs.rmSync(outDir, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: [entry],
    outdir: outDir,
    bundle: true,
    format: 'esm',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    jsx: 'automatic',
    jsxImportSource: jsx,
    // React reads NODE_ENV to drop its development build.
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.properties': 'text', '.woff2': 'file', '.woff': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file', '.png': 'file', '.jpg': 'file' },
    legalComments: 'linked',
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs).filter(([, output]) => output.entryPoint !== undefined || output.cssBundle !== undefined);
  const [scriptPath, scriptOutput] = outputs.find(([file]) => file.endsWith('.js'))!;
  const manifest: WebManifest = {
    script: path.basename(scriptPath),
    styles: scriptOutput.cssBundle ? [path.basename(scriptOutput.cssBundle)] : [],
  };
  fs.writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}

export async function buildWeb(distDir = path.join(ROOT, 'dist/web')): Promise<void> {
  await buildWebApp(path.join(ROOT, 'web/admin/main.tsx'), path.join(distDir, 'admin'));
  await buildWebApp(path.join(ROOT, 'web/account/main.tsx'), path.join(distDir, 'account'), 'react');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildWeb();
}

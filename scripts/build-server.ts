/**
 * Builds the server bundle, dist/holdfast.mjs: what `npm start` and the container image run, and
 * what the tests and benchmarks that start many servers run (test/support/process.ts).
 *
 * The pure-JavaScript dependencies go into the bundle: started from node_modules, Node resolves,
 * reads and compiles a few hundred files one by one, which was half of a start (~660 of ~1,320 ms
 * in a CPU profile; issue 18 wants a node ready in under a second). Kept outside, loaded from
 * node_modules as before:
 * - native modules and their loaders (better-sqlite3, @node-rs/argon2, pg's optional pg-native);
 * - packages that find files next to their own sources at run time (`__dirname`: ioredis for its
 *   Lua commands, pino for its transports), which a bundle would break;
 * - libraries that only rare paths load, on first use (src/lazy-require.ts, dynamic imports):
 *   bundled, their code would be read and parsed at every start whether or not anyone uses them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const EXTERNAL_PACKAGES = [
  'better-sqlite3',
  '@node-rs/argon2',
  'pg-native',
  'ioredis',
  'pino',
  'mysql2',
  'node-forge',
  'nodemailer',
  'qrcode',
  'ua-parser-js',
  '@peculiar/asn1-schema',
  '@peculiar/asn1-x509',
];

/**
 * Bundled CommonJS code calls `require` for Node's own modules (and for the external packages it
 * requires); an ES module has none, so the bundle makes one first.
 */
const REQUIRE_BANNER = "import { createRequire as __holdfastCreateRequire } from 'node:module';\nconst require = __holdfastCreateRequire(import.meta.url);";

export function serverBuildOptions(outfile: string): esbuild.BuildOptions {
  return {
    entryPoints: [path.join(ROOT, 'src/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: EXTERNAL_PACKAGES,
    banner: { js: REQUIRE_BANNER },
    // Licence comments of the bundled packages go to <outfile>.LEGAL.txt, not into the code.
    legalComments: 'external',
    logLevel: 'warning',
  };
}

/**
 * Comments esbuild keeps in the code may hold non-ASCII text (its own escaping covers strings and
 * identifiers only); one such character makes V8 hold the whole source as UTF-16, twice its size
 * in memory. Outside strings a non-ASCII character can only be in a comment, so it is replaced.
 */
export function asciiOnly(file: string): void {
  const source = fs.readFileSync(file, 'utf8');
  if (/[^\x00-\x7f]/.test(source)) fs.writeFileSync(file, source.replace(/[^\x00-\x7f]/g, '?'));
}

export async function buildServer(outfile = path.join(ROOT, 'dist/holdfast.mjs'), options: { sourcemap?: boolean } = {}): Promise<string> {
  await esbuild.build({ ...serverBuildOptions(outfile), sourcemap: options.sourcemap ?? false });
  asciiOnly(outfile);
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildServer(undefined, { sourcemap: true });
}

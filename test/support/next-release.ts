/**
 * A release after this one, made up for rollback tests (issue #17.1): a copy of this checkout's
 * files (as they are in the work tree, so uncommitted changes come along) in a temporary
 * directory, with more migrations and its own version, running on this checkout's node_modules.
 * Started with startHoldfast({ root }). Upgrading to it and rolling back to this release shows
 * what the next real release may do to the schema and what it must not.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, tempDir } from './process.ts';

export interface NextReleaseMigration {
  /** Sorts after every migration of this release. */
  name: string;
  /** The module's TypeScript source (exports `up`, and `contracting` or `transaction` as a real one would). */
  source: string;
}

export interface NextRelease {
  root: string;
  version: string;
  remove(): void;
}

const MIGRATIONS = 'src/store/sql/migrations';

export function makeNextRelease(version: string, migrations: NextReleaseMigration[]): NextRelease {
  const directory = tempDir('holdfast-next-release-');
  const root = path.join(directory, 'holdfast');
  const files = execFileSync('git', ['-C', ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter((file) => file !== '' && fs.existsSync(path.join(ROOT, file)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(root, file));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));

  const index = path.join(root, MIGRATIONS, 'index.ts');
  let registry = fs.readFileSync(index, 'utf8');
  const end = registry.lastIndexOf('};');
  if (end < 0) throw new Error(`${MIGRATIONS}/index.ts has no migrations table to add to`);
  const imports = migrations.map((m, i) => `import * as nextRelease${i} from './${m.name}.ts';\n`).join('');
  const entries = migrations.map((m, i) => `  '${m.name}': nextRelease${i},\n`).join('');
  registry = imports + registry.slice(0, end) + entries + registry.slice(end);
  fs.writeFileSync(index, registry);
  for (const migration of migrations) fs.writeFileSync(path.join(root, MIGRATIONS, `${migration.name}.ts`), migration.source);

  const packageFile = path.join(root, 'package.json');
  fs.writeFileSync(packageFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(packageFile, 'utf8')), version }, null, 2));
  return { root, version, remove: () => fs.rmSync(directory, { recursive: true, force: true }) };
}

/**
 * A checkout of an earlier commit of this repository in a temporary directory, for upgrade tests
 * (issue #17.1): the sources from `git archive`, and packages that run them. When every runtime
 * entry of its package-lock.json (those not marked dev) is locked identically in this checkout's,
 * it reuses this checkout's node_modules through a symlink: packages added since are never loaded
 * by the older code, and its dev tools such as tsx only start it. Otherwise it installs once into
 * ~/.cache/holdfast-upgrade/<lock hash> and links that, so the suite pays for an install once per
 * lockfile, not per run; the upgrade tests run concurrently, so that install is taken under a lock
 * and the second test waits for the first one's install instead of deleting it mid-build.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, tempDir } from './process.ts';

export interface EarlierRelease {
  commit: string;
  /** The checkout: start it with startHoldfast({ root }). */
  root: string;
  /** Whether it runs on this checkout's node_modules (identical runtime lock entries). */
  sharesPackages: boolean;
  remove(): void;
}

type Lock = { packages: Record<string, { dev?: boolean }> };

/** Whether every runtime package the earlier lock names is locked here with the very same entry. */
function runtimeLockedHereToo(earlier: Lock, current: Lock): boolean {
  return Object.entries(earlier.packages)
    .filter(([name, entry]) => name !== '' && !entry.dev)
    .every(([name, entry]) => JSON.stringify(current.packages[name]) === JSON.stringify(entry));
}

/** Why the commit cannot be checked out (not in this clone, as in a shallow CI checkout), or undefined when it can. */
export function commitMissing(commit: string): string | undefined {
  try {
    execFileSync('git', ['-C', ROOT, 'cat-file', '-e', `${commit}^{commit}`], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `commit ${commit} is not in this clone (fetch its history: git fetch --unshallow)`;
  }
}

export function checkOutEarlierRelease(commit: string): EarlierRelease {
  const directory = tempDir('holdfast-release-');
  const root = path.join(directory, 'holdfast');
  fs.mkdirSync(root);
  const archive = execFileSync('git', ['-C', ROOT, 'archive', '--format=tar', commit], { maxBuffer: 512 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', root], { input: archive });
  const lockText = fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8');
  const sharesPackages = runtimeLockedHereToo(JSON.parse(lockText), JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')));
  fs.symlinkSync(sharesPackages ? path.join(ROOT, 'node_modules') : installedOnce(root, lockText), path.join(root, 'node_modules'));
  return { commit, root, sharesPackages, remove: () => fs.rmSync(directory, { recursive: true, force: true }) };
}

/** node_modules for this lockfile, installed (with dev tools: tsx starts the release) the first time it is asked for. */
function installedOnce(root: string, lockText: string): string {
  const cache = path.join(os.homedir(), '.cache', 'holdfast-upgrade', crypto.createHash('sha256').update(lockText).digest('hex').slice(0, 16));
  const modules = path.join(cache, 'node_modules');
  if (fs.existsSync(path.join(cache, 'complete'))) return modules;
  fs.mkdirSync(cache, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(root, file), path.join(cache, `release-${file}`));
  // flock(1) holds the lock for the whole install; whoever gets it second finds `complete` and
  // returns. `complete` is written last, so an interrupted install is redone, not reused half-done.
  const install = 'if [ -f complete ]; then exit 0; fi; ' + [
    'rm -rf node_modules',
    'cp release-package.json package.json && cp release-package-lock.json package-lock.json',
    'npm ci --no-audit --no-fund',
    'touch complete',
  ].join(' && ');
  execFileSync('flock', [path.join(cache, 'install.lock'), 'sh', '-c', install], { cwd: cache, stdio: 'inherit', timeout: 900_000 });
  return modules;
}

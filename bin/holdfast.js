#!/usr/bin/env node
// The installed command runs the bundle `npm run build` makes (fast start, no compiler in memory),
// and the TypeScript sources through tsx when there is no bundle (a checkout without a build).
// A production install (`npm ci --omit=dev`) has no tsx, so it needs the bundle built beforehand.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/holdfast.mjs', import.meta.url);
if (existsSync(bundle)) {
  await import(bundle.href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    console.error('holdfast: dist/holdfast.mjs is missing and tsx is not installed; run `npm run build` (with dev dependencies) first.');
    process.exit(2);
  }
  register();
  await import('../src/main.ts');
}

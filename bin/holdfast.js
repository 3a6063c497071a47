#!/usr/bin/env node
// The installed command runs the bundle `npm run build` makes (fast start, no compiler in memory),
// and the TypeScript sources through tsx when there is no bundle (a checkout without a build).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/holdfast.mjs', import.meta.url);
if (existsSync(bundle)) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}

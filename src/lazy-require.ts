/**
 * A CommonJS dependency loaded on its first use instead of at start. For libraries that only
 * rare paths need (PKCS#12 keystores, writing X.509 certificates, parsing User-Agents): loaded at
 * start, their code, its compiled form and their module objects sit in every node's memory from
 * the first second, whether or not anyone downloads a keystore (issue 18 measured the idle RSS).
 * Synchronous, so the functions that use them keep their signatures.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export function lazyRequire<T>(specifier: string): () => T {
  let module: T | undefined;
  return () => (module ??= load(specifier) as T);
}

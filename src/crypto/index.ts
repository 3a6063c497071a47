export * from './random.ts';
export * from './secret-box.ts';
export * from './password.ts';
export * from './keys.ts';
export * from './jwt.ts';
export * from './at-hash.ts';
export * from './key-encryption-key.ts';

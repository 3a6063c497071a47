export * from './scopes.ts';
export * from './mapped-claims.ts';
export * from './token-issuer.ts';
export * from './verify-token.ts';
export * from './refresh-validation.ts';
export * from './access-validation.ts';
export * from './introspected-claims.ts';

/** Identity brokering: provider kinds, mapper types, and (later) the broker login flow. */
export * from './provider-catalog.ts';
export * from './mapper-catalog.ts';
export * from './discovery.ts';
export * from './upstream.ts';
export * from './upstream-tokens.ts';
export * from './brokered-identity.ts';
export * from './broker-failure.ts';
export * from './login-mappers.ts';
export * from './stored-token.ts';
export * from './upstream-logout.ts';
export * from './hosted-domain.ts';
export * from './unhonoured-settings.ts';

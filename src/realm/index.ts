export * from './types.ts';
export * from './defaults.ts';
export * from './realm-repository.ts';
export * from './realm-service.ts';
export * from './realm-factory.ts';
export * from './roles.ts';
export * from './demo.ts';
export * from './redirect-uri.ts';

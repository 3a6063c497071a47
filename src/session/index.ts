export * from './types.ts';
export * from './session-store.ts';
export * from './lifetimes.ts';
export * from './session-service.ts';
export * from './touch-writer.ts';
export * from './revocation-list.ts';
export * from './brute-force.ts';
export * from './expiry-sweeper.ts';

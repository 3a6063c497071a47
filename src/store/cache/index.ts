export * from './invalidation-bus.ts';
export * from './cached-session-store.ts';

export * from './redis-session-store.ts';

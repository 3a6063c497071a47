export * from './memory-session-store.ts';

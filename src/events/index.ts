/** User and admin events: record (batched), query, expire. */
export * from './event-types.ts';
export * from './event-store.ts';
export * from './event-builder.ts';
export * from './event-recorder.ts';
export * from './event-writer.ts';
export * from './events-config.ts';
export * from './event-expiry.ts';
export * from './open-events.ts';
export * from './oauth-events.ts';

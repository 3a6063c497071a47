/** Identity brokering: provider kinds, mapper types, and (later) the broker login flow. */
export * from './provider-catalog.ts';
export * from './mapper-catalog.ts';
export * from './discovery.ts';

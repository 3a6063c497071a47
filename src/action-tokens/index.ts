/** Action tokens: the single-use links in e-mails, and the pages they lead to. */
export * from './action-token.ts';
export * from './action-token-routes.ts';

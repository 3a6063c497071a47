/**
 * A bound on how long a request's query may go unanswered. With synchronous replication, a
 * COMMIT on the primary waits until the synchronous standby confirms it; when the standby (or
 * its site) is gone, it waits forever, and so would every request that writes. Bounded, such a
 * query fails with QueryBound, which carries no SQLSTATE and so becomes 503
 * `temporarily_unavailable` (unavailable-database.ts).
 *
 * The bound is on the client's side on purpose: PostgreSQL's own `statement_timeout` (or any
 * cancel) ends a wait for the standby by committing locally and answering COMMIT as a success,
 * which would acknowledge a write that is in one site only. Nothing is cancelled here. The
 * server goes on waiting, and the commit may still happen later, once the standby is back or
 * `synchronous_standby_names` changes: the request was answered 503, so nothing was
 * acknowledged, and a retry finds whichever state won (docs/multi-site.md says what each write
 * then means).
 *
 * Until the server answers, the connection is unusable (the server still runs the statement),
 * so every further query on it fails at once and the pool gets it back only when the answer
 * came (postgres-primary.ts): a node holds at most its pool's size of waiting server backends.
 */

/** Without an SQLSTATE: the request gets 503 and the commit's fate is unknown to it. */
export class QueryBound extends Error {
  override readonly name = 'QueryBound';
}

/** A pooled connection that may carry an unanswered query. */
export interface BoundedClient {
  /** Settles (never rejects) when the server answers the query that outlived its bound. */
  unanswered?: Promise<void>;
}

/** Sends `query` on `client` unless it still waits for an earlier answer; fails after `timeoutMs`. */
export function boundQuery<T>(client: BoundedClient, timeoutMs: number, query: () => Promise<T>): Promise<T> {
  if (client.unanswered) return Promise.reject(new QueryBound('the connection still waits for the database to answer an earlier query'));
  const pending = query();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.unanswered = pending.then(
        () => undefined,
        () => undefined,
      );
      reject(new QueryBound(`the database did not answer within ${timeoutMs} ms (a commit waits for its synchronous standby, or the server is unreachable)`));
    }, timeoutMs);
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

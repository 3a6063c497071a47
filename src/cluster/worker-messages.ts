/**
 * What a node's primary and its workers (`--workers N`) say to each other over node:cluster's IPC
 * channel. Only the primary and its own children are on it, so messages are trusted; anything
 * without the `holdfast` tag (another library's IPC) is left alone.
 */
import type { Invalidation } from '../store/cache/index.ts';

/** Worker → primary: deliver to every other worker; primary → worker: apply it and acknowledge. */
export interface InvalidateMessage {
  holdfast: 'invalidate';
  id: number;
  event: Invalidation;
}
/** Worker → primary: this worker applied invalidation `id` of worker `origin`. */
export interface InvalidatedMessage {
  holdfast: 'invalidated';
  origin: number;
  id: number;
}
/** Primary → publishing worker: every live worker applied invalidation `id`. */
export interface PublishedMessage {
  holdfast: 'published';
  id: number;
}
/** Worker → primary: listening; the next worker may start. */
export interface ReadyMessage {
  holdfast: 'ready';
}

export type WorkerMessage = InvalidateMessage | InvalidatedMessage | PublishedMessage | ReadyMessage;

/** Primary → worker, on the invalidation it relays: whose it is, so the acknowledgement finds its way back. */
export type RelayedInvalidation = InvalidateMessage & { origin: number };

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && typeof (value as { holdfast?: unknown }).holdfast === 'string';
}

/** Variable naming a worker's index (0 … N-1); worker 0 starts first and runs the singleton jobs. */
export const WORKER_INDEX_VARIABLE = 'HOLDFAST_WORKER_INDEX';
/** Set to `1` for the one worker that prepares the database (the node's first start of worker 0). */
export const WORKER_PREPARES_VARIABLE = 'HOLDFAST_WORKER_PREPARES';

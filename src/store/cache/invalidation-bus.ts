/**
 * How a node tells the others that something it changed must be dropped from their caches
 * (DESIGN rule 5). A single node uses the local bus; a cluster replaces it with one that carries
 * events across nodes, so a revoked session is never served from another node's cache.
 */
export type Invalidation =
  | { kind: 'userSession'; id: string; offline: boolean }
  | { kind: 'user'; id: string }
  | { kind: 'realm'; id: string }
  | { kind: 'tokenRevoked'; jti: string; expiresAt: number }
  | { kind: 'all' };

export interface InvalidationBus {
  /**
   * False while this node may be missing other nodes' events (a cluster node's listener is cut):
   * caches then neither serve nor keep what could have been revoked meanwhile.
   */
  readonly listening: boolean;
  publish(event: Invalidation): Promise<void>;
  subscribe(listener: (event: Invalidation) => void): void;
  close(): Promise<void>;
}

/** One process: listeners are called synchronously, in-process. */
export class LocalInvalidationBus implements InvalidationBus {
  readonly listening = true;
  private readonly listeners: Array<(event: Invalidation) => void> = [];
  async publish(event: Invalidation): Promise<void> {
    for (const listener of this.listeners) listener(event);
  }
  subscribe(listener: (event: Invalidation) => void): void {
    this.listeners.push(listener);
  }
  async close(): Promise<void> {}
}

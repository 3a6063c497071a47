/**
 * Revoked access tokens, held in memory so that introspection and userinfo check revocation
 * without a store read. The store keeps them durably (a restart reloads the list) and the
 * invalidation bus carries new revocations to the other nodes. Entries leave when the token
 * would have expired anyway, so the list stays as small as the access-token lifespan allows.
 * When the bus may have missed events (`all`: a cluster node lost its listener), the list is
 * read again from the store.
 */
import type { InvalidationBus } from '../store/cache/index.ts';
import type { SessionStore } from './session-store.ts';

export class RevocationList {
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly store: SessionStore,
    private readonly bus: InvalidationBus,
    private readonly now: () => number,
    onReloadError: (error: unknown) => void = () => {},
  ) {
    bus.subscribe((event) => {
      if (event.kind === 'tokenRevoked') this.revoked.set(event.jti, event.expiresAt);
      else if (event.kind === 'all') this.load().catch(onReloadError);
    });
  }

  async load(nowSeconds = this.now()): Promise<void> {
    for (const { jti, expiresAt } of await this.store.listRevokedTokens(nowSeconds)) this.revoked.set(jti, expiresAt);
  }

  /** Durable first, then announced to every node (this one included). */
  async revoke(jti: string, expiresAt: number): Promise<void> {
    await this.store.revokeToken(jti, expiresAt);
    await this.bus.publish({ kind: 'tokenRevoked', jti, expiresAt });
  }

  isRevoked(jti: string, nowSeconds: number): boolean {
    const expiresAt = this.revoked.get(jti);
    if (expiresAt === undefined) return false;
    if (expiresAt < nowSeconds) {
      this.revoked.delete(jti);
      return false;
    }
    return true;
  }
}

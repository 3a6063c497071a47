/**
 * A bounded load loop for cluster tests: workers refresh a fixed set of sessions round robin,
 * keeping each session's newest refresh token, until stopped or a request budget is spent.
 * A request that never got an answer from holdfast (connection error, or HAProxy's own 502/503/504)
 * is counted as a connection error and retried; `invalid_grant` for a live session is a lost session.
 */
import { DEMO_SERVICE } from './oidc-requests.ts';

export interface LoadResult {
  /** HTTP attempts made. */
  requests: number;
  refreshed: number;
  connectionErrors: number;
  /** Sessions refused with invalid_grant, with the server's reason. */
  lost: Array<{ index: number; reason: string }>;
  /** Answers that are neither success, invalid_grant nor a connection error (5xx from holdfast, …). */
  unexpected: Array<{ status: number; body: string }>;
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);
const MAX_ATTEMPTS = 20;

type Attempt = { kind: 'ok'; refreshToken: string } | { kind: 'lost'; reason: string } | { kind: 'connection' } | { kind: 'unexpected'; status: number; body: string };

async function attemptRefresh(baseUrl: string, refreshToken: string): Promise<Attempt> {
  let response: Response;
  let body: string;
  try {
    response = await fetch(`${baseUrl}/realms/demo/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, ...DEMO_SERVICE }),
      signal: AbortSignal.timeout(15_000),
    });
    body = await response.text();
  } catch {
    return { kind: 'connection' };
  }
  if (response.status === 200) return { kind: 'ok', refreshToken: JSON.parse(body).refresh_token };
  if (RETRYABLE_STATUS.has(response.status)) return { kind: 'connection' };
  if (response.status === 400 && body.includes('invalid_grant')) return { kind: 'lost', reason: body };
  return { kind: 'unexpected', status: response.status, body: body.slice(0, 300) };
}

export class RefreshLoad {
  private readonly result: LoadResult = { requests: 0, refreshed: 0, connectionErrors: 0, lost: [], unexpected: [] };
  private readonly lostIndexes = new Set<number>();
  private next = 0;
  private stopping = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly baseUrl: string,
    /** The newest refresh token of each session; updated in place. */
    readonly tokens: string[],
    private readonly options: { concurrency: number; maxRequests: number },
  ) {}

  start(): this {
    this.workers = Array.from({ length: this.options.concurrency }, () => this.work());
    return this;
  }

  get requests(): number {
    return this.result.requests;
  }

  async stop(): Promise<LoadResult> {
    this.stopping = true;
    await Promise.all(this.workers);
    return this.result;
  }

  /** Refreshes every session once, `concurrency` at a time (a check after the load). */
  async pass(): Promise<LoadResult> {
    const pending = this.tokens.map((_, index) => index);
    await Promise.all(
      Array.from({ length: this.options.concurrency }, async () => {
        for (let index = pending.shift(); index !== undefined; index = pending.shift()) await this.refreshOne(index);
      }),
    );
    return this.result;
  }

  private async work(): Promise<void> {
    while (!this.stopping && this.result.requests < this.options.maxRequests) {
      const index = this.next++ % this.tokens.length;
      if (this.lostIndexes.has(index)) continue;
      await this.refreshOne(index);
    }
  }

  /** Refreshes one session, retrying connection errors (bounded). */
  private async refreshOne(index: number): Promise<void> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      this.result.requests += 1;
      const outcome = await attemptRefresh(this.baseUrl, this.tokens[index]);
      switch (outcome.kind) {
        case 'ok':
          this.tokens[index] = outcome.refreshToken;
          this.result.refreshed += 1;
          return;
        case 'lost':
          this.lostIndexes.add(index);
          this.result.lost.push({ index, reason: outcome.reason });
          return;
        case 'unexpected':
          this.result.unexpected.push({ status: outcome.status, body: outcome.body });
          return;
        case 'connection':
          this.result.connectionErrors += 1;
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
    this.result.unexpected.push({ status: 0, body: `no answer after ${MAX_ATTEMPTS} attempts` });
  }
}

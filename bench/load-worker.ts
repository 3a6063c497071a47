/**
 * The load generator, a child process pinned to CPU 1 (the server has CPU 0). It takes jobs over
 * IPC (load-generator.ts) and answers with their measurements. HTTP jobs run on autocannon's programmatic API; the
 * multi-step login runs a bounded loop of scripted browsers (login-flow.ts). Every job is
 * bounded by its duration or its request count.
 */
import autocannon from 'autocannon';
import { serveJobs } from './load-generator.ts';
import { loginWithCode, type LoginTarget } from './login-flow.ts';

export interface HttpJob {
  kind: 'http';
  url: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** Bodies to cycle through (shared by all connections). */
  bodies?: string[];
  /** Authorization header values to cycle through. */
  authorizations?: string[];
  /** Use each body exactly once, then stop (first-touch of stored sessions). */
  once?: boolean;
  /**
   * Refresh-token rotation: each connection owns one token and sends `prefix + token + suffix`,
   * then replaces its token with the response's `refresh_token`.
   */
  chain?: { prefix: string; suffix: string; tokens: string[] };
  connections: number;
  seconds: number;
}

export interface LoginJob {
  kind: 'login';
  target: LoginTarget;
  concurrency: number;
  seconds: number;
}

export type Job = HttpJob | LoginJob;

export interface LoadResult {
  /** Successful (2xx, or a whole login) operations per second. */
  rps: number;
  ok: number;
  failed: number;
  seconds: number;
  p50: number;
  p99: number;
  /** First failure seen, to explain a non-zero `failed`. */
  sample?: string;
}

const percentile = (sorted: number[], p: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);

function requestsFor(job: HttpJob): autocannon.Request[] | ((client: any) => void) {
  let next = 0;
  const base = { method: job.method, path: job.path, headers: job.headers };
  if (job.chain) {
    const { prefix, suffix, tokens } = job.chain;
    let unused = 0;
    // One closure per connection: autocannon resets `context` on every loop, so state lives here.
    return (client: any) => {
      let token = tokens[unused++ % tokens.length];
      client.setRequests([
        {
          ...base,
          setupRequest: (request: any) => ({ ...request, body: prefix + encodeURIComponent(token) + suffix }),
          onResponse: (status: number, body: string) => {
            if (status === 200) token = JSON.parse(body).refresh_token;
            else if (unused < tokens.length) token = tokens[unused++];
          },
        },
      ]);
    };
  }
  if (job.bodies) {
    const bodies = job.bodies;
    return [{ ...base, setupRequest: (request: any) => ({ ...request, body: bodies[next++ % bodies.length] }) }];
  }
  if (job.authorizations) {
    const values = job.authorizations;
    return [{ ...base, setupRequest: (request: any) => ({ ...request, headers: { ...job.headers, authorization: values[next++ % values.length] } }) }];
  }
  return [base];
}

async function runHttp(job: HttpJob): Promise<LoadResult> {
  const requests = requestsFor(job);
  let sample: string | undefined;
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    ...(job.once ? { amount: job.bodies!.length } : { duration: job.seconds }),
    ...(typeof requests === 'function' ? { setupClient: requests, requests: [{ method: job.method, path: job.path, headers: job.headers }] } : { requests }),
    timeout: 30,
  });
  // autocannon reports latency over all responses; failures are counted and shown separately.
  const ok = result['2xx'];
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) sample = `non2xx=${result.non2xx} errors=${result.errors} timeouts=${result.timeouts} codes=${JSON.stringify(result.statusCodeStats ?? {})}`;
  const seconds = result.duration;
  return { rps: ok / seconds, ok, failed, seconds, p50: result.latency.p50, p99: result.latency.p99, sample };
}

async function runLogins(job: LoginJob): Promise<LoadResult> {
  const latencies: number[] = [];
  let failed = 0;
  let sample: string | undefined;
  const started = performance.now();
  const deadline = started + job.seconds * 1000;
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await loginWithCode(job.target);
          latencies.push(performance.now() - t0);
        } catch (error) {
          failed++;
          sample ??= (error as Error).message.slice(0, 300);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / seconds, ok: latencies.length, failed, seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), sample };
}

export function runJob(job: Job): Promise<LoadResult> {
  return job.kind === 'http' ? runHttp(job) : runLogins(job);
}

if (process.send) serveJobs(runJob);

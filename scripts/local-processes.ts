/**
 * What the local trial scripts (`npm run cluster`, `npm run multi-site`) share: finding HAProxy,
 * prefixing a child's output with its name, and waiting for a node's readiness, bounded.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export function haproxyBinary(): string {
  const candidates = [process.env.HAPROXY, '/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/usr/bin/haproxy'];
  const found = candidates.find((candidate) => candidate && fs.existsSync(candidate));
  if (!found) throw new Error('haproxy not found: install it (apt-get install haproxy) or set HAPROXY');
  return found;
}

export function prefixed(child: ChildProcess, label: string): void {
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) console.log(`[${label}] ${line}`);
    });
  }
}

export async function waitReady(managementPort: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${managementPort}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`node with management port ${managementPort} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

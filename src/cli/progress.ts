/**
 * Progress of a long import or export: on a terminal, one bar redrawn in place with the rate and
 * the time left; in a log or a pipe, a plain line at every tenth of the way, so CI output stays
 * readable. Rates and estimates come from the injected clock (milliseconds).
 */
export interface Progress {
  update(done: number, total: number): void;
  finish(message: string): void;
}

export interface ProgressOptions {
  label: string;
  unit: string;
  stream?: NodeJS.WriteStream;
  nowMs?: () => number;
}

const BAR_WIDTH = 30;
const REDRAW_EVERY_MS = 100;

const count = (n: number): string => n.toLocaleString('en-US');

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** The numbers a progress report shows, for the bar and the plain lines alike. */
export function progressFigures(done: number, total: number, elapsedMs: number): { percent: number; rate: number; etaMs: number } {
  const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const etaMs = rate > 0 ? ((total - done) / rate) * 1000 : Infinity;
  return { percent, rate, etaMs };
}

export function createProgress({ label, unit, stream = process.stderr, nowMs = Date.now }: ProgressOptions): Progress {
  const started = nowMs();
  const tty = stream.isTTY === true;
  let lastDraw = -Infinity;
  let lastTenth = -1;
  return {
    update(done, total) {
      const now = nowMs();
      const { percent, rate, etaMs } = progressFigures(done, total, now - started);
      const summary = `${count(done)}/${count(total)} ${unit}  ${count(Math.round(rate))} ${unit}/s  ETA ${formatDuration(etaMs)}`;
      if (tty) {
        if (now - lastDraw < REDRAW_EVERY_MS && done < total) return;
        lastDraw = now;
        const filled = Math.round((percent / 100) * BAR_WIDTH);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(percent).padStart(3)}%  ${summary}\x1b[K`);
        return;
      }
      const tenth = Math.floor(percent / 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      stream.write(`${label}: ${percent}% ${summary}\n`);
    },
    finish(message) {
      stream.write(`${tty ? '\r\x1b[K' : ''}${label}: ${message} in ${formatDuration(nowMs() - started)}\n`);
    },
  };
}

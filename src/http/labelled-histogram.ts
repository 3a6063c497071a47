/**
 * A Prometheus histogram whose label sets are fixed once: `child(labels)` is looked up when a
 * route or store operation is first seen, and its `observe` is a few additions. prom-client's
 * own labelled child validates and hashes its labels again on every observation, which showed up
 * in the refresh profile (issue 18) on every request. Exposition is prom-client's (the registry
 * formats what `get()` returns), so the lines scraped from /metrics are the same as before.
 */
import type { Registry } from 'prom-client';

export interface HistogramChild {
  observe(seconds: number): void;
}

interface Series {
  labels: Record<string, string>;
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

export class LabelledHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The series of one label set, made on first use; keep it and observe through it. */
  child(labels: Record<string, string>): HistogramChild {
    const key = JSON.stringify(labels);
    let series = this.series.get(key);
    if (!series) {
      series = { labels: { ...labels }, counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    const { buckets } = this;
    const target = series;
    return {
      observe(seconds: number): void {
        let slot = 0;
        while (slot < buckets.length && seconds > buckets[slot]) slot++;
        target.counts[slot]++;
        target.sum += seconds;
        target.count++;
      },
    };
  }

  /** prom-client's metric shape; the bucket label `le` comes first, as prom-client writes it. */
  get(): { name: string; help: string; type: string; aggregator: string; values: Sample[] } {
    const values: Sample[] = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, slot) => {
        cumulative += counts[slot];
        values.push({ metricName: `${this.name}_bucket`, labels: { le: bound, ...labels }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...labels }, value: count });
      values.push({ metricName: `${this.name}_sum`, labels: { ...labels }, value: sum });
      values.push({ metricName: `${this.name}_count`, labels: { ...labels }, value: count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series.clear();
  }
}

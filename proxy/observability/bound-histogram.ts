import { format } from 'node:util';
import type { Metric, Registry, RegistryContentType } from 'prom-client';

/**
 * A Prometheus histogram for the request path. prom-client's Histogram converts, validates and
 * hashes the labels on every observe, even through a child bound with `.labels(...)` (~3% of the
 * event loop at 13 observes per request); here a child is bound once and `observe` is a bucket
 * search and three adds. The registry formats what `getForPromString` returns exactly as it does
 * for prom-client's Histogram, so /metrics reads byte for byte the same (the equivalence test
 * pins this). Exemplars, `startTimer`, `zero` and `remove` are left out: no caller uses them.
 */

/** The config prom-client's Histogram takes, minus what this histogram does not support. */
export interface BoundHistogramConfig<Names extends readonly string[]> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: Names;
  /** Upper bounds, strictly ascending; `+Inf` is implied. */
  readonly buckets: readonly number[];
  readonly registers: readonly Registry<RegistryContentType>[];
}

/** One exported line in the shape prom-client's Histogram builds (its `setValuePair`). */
interface PromSample {
  labels: Record<string, string | number>;
  sharedLabels: Readonly<Record<string, string>>;
  value: number;
  metricName: string;
  exemplar: null | undefined;
}

/** A sample as `get()` (and so `getMetricsAsJSON`) returns it: the series labels folded into `labels`. */
export interface HistogramSample {
  value: number;
  metricName: string;
  exemplar: null | undefined;
  labels: Record<string, string | number>;
}

/** What the registry reads from a metric. */
export interface HistogramExport<S> {
  name: string;
  help: string;
  type: 'histogram';
  values: S[];
  aggregator: 'sum';
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One label set's series; `observe` allocates nothing and looks nothing up. */
export class HistogramChild {
  readonly #bounds: Float64Array;
  // Per bucket, not cumulative; the last slot takes values above the top bound, which only `count` exports.
  readonly #counts: Float64Array;
  readonly #series: HistogramChild[];
  #sum = 0;
  #count = 0;
  // prom-client exports a label set only once it has been observed (and again only after a reset).
  #live = false;

  /** @internal Built by `BoundHistogram.labels`; `live` puts the series in the exposition before any observe. */
  constructor(bounds: Float64Array, series: HistogramChild[], readonly labels: Readonly<Record<string, string>>, live: boolean) {
    this.#bounds = bounds;
    this.#counts = new Float64Array(bounds.length + 1);
    this.#series = series;
    if (live) this.#enlist();
  }

  /** Counts one value; throws TypeError on NaN or ±Infinity, as prom-client does. */
  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${format(value)}`);
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.#counts[i]! += 1;
    this.#sum += value;
    this.#count += 1;
    if (!this.#live) this.#enlist();
  }

  #enlist(): void {
    this.#live = true;
    this.#series.push(this);
  }

  /** @internal Forgets every observation and leaves the exposition until the next observe. */
  clear(): void {
    this.#counts.fill(0);
    this.#sum = 0;
    this.#count = 0;
    this.#live = false;
  }

  /** @internal This series' lines in prom-client's order: each bucket, `+Inf`, `_sum`, `_count`. */
  export(name: string, upperBounds: readonly number[], out: PromSample[]): void {
    const bucket = `${name}_bucket`;
    const shared = this.labels;
    let cumulative = 0;
    for (let i = 0; i < upperBounds.length; i++) {
      cumulative += this.#counts[i]!;
      out.push({ labels: { le: upperBounds[i]! }, sharedLabels: shared, value: cumulative, metricName: bucket, exemplar: null });
    }
    out.push(
      { labels: { le: '+Inf' }, sharedLabels: shared, value: this.#count, metricName: bucket, exemplar: null },
      { labels: {}, sharedLabels: shared, value: this.#sum, metricName: `${name}_sum`, exemplar: undefined },
      { labels: {}, sharedLabels: shared, value: this.#count, metricName: `${name}_count`, exemplar: undefined },
    );
  }
}

/** A histogram whose `.labels(...)` child is bound once; registers itself in the given prom-client registries. */
export class BoundHistogram<const Names extends readonly string[]> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames: Names;
  readonly #upperBounds: readonly number[];
  readonly #bounds: Float64Array;
  readonly #children = new Map<string, HistogramChild>();
  // Observed series in first-observe order, which is the order prom-client prints them in.
  readonly #series: HistogramChild[] = [];

  constructor(config: BoundHistogramConfig<Names>) {
    const { name, help, labelNames, buckets } = config;
    if (!METRIC_NAME.test(name)) throw new Error(`Invalid metric name: ${name}`);
    if (!help) throw new Error('Missing mandatory help parameter');
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label)) throw new Error(`Invalid label name: ${label}`);
      if (label === 'le') throw new Error('le is a reserved label keyword');
    }
    // prom-client does not check; an unsorted list would make the linear search miscount.
    for (let i = 0; i < buckets.length; i++) {
      if (!Number.isFinite(buckets[i]) || (i > 0 && buckets[i]! <= buckets[i - 1]!)) {
        throw new Error(`Histogram buckets must be finite and strictly ascending: ${buckets.join(', ')}`);
      }
    }
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
    this.#upperBounds = Object.freeze([...buckets]);
    this.#bounds = Float64Array.from(buckets);
    // prom-client shows a label-less histogram's zeroed series from the start.
    if (labelNames.length === 0) this.#bind([]);
    // prom-client's types list only its own four classes; at runtime the registry reads name, type,
    // get/getForPromString and reset, which this class provides.
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The child for these label values (in `labelNames` order); the same object every time for the same values. */
  labels(...values: { readonly [K in keyof Names]: string }): HistogramChild {
    return this.#children.get(JSON.stringify(values)) ?? this.#bind(values);
  }

  #bind(values: readonly string[]): HistogramChild {
    if (values.length !== this.labelNames.length) {
      throw new Error(`Invalid number of arguments (${values.length}): "${values.join(', ')}" for label names (${this.labelNames.length}): "${this.labelNames.join(', ')}".`);
    }
    const labels: Record<string, string> = {};
    this.labelNames.forEach((label, i) => (labels[label] = values[i]!));
    const child = new HistogramChild(this.#bounds, this.#series, Object.freeze(labels), values.length === 0);
    this.#children.set(JSON.stringify(values), child);
    return child;
  }

  /** What the registry formats into text: prom-client's Histogram `getForPromString` shape. */
  getForPromString(): Promise<HistogramExport<PromSample>> {
    const values: PromSample[] = [];
    for (const child of this.#series) child.export(this.name, this.#upperBounds, values);
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  /** What `getMetricsAsJSON` returns: as above with each series' labels folded into the sample's. */
  async get(): Promise<HistogramExport<HistogramSample>> {
    const data = await this.getForPromString();
    const values = data.values.map(({ sharedLabels, labels, ...rest }): HistogramSample => ({ ...rest, labels: { ...labels, ...sharedLabels } }));
    return { ...data, values };
  }

  /** Forgets every observation (`registry.resetMetrics()`); bound children stay usable. */
  reset(): void {
    for (const child of this.#series) child.clear();
    this.#series.length = 0;
  }
}

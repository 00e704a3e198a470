import { Registry, Counter, Gauge, collectDefaultMetrics } from 'prom-client';
import { BoundHistogram } from './bound-histogram.js';

/** One provider endpoint's circuit as /metrics publishes it (labels are tenant-agnostic, never a key or a path). */
export interface CircuitReading {
  readonly provider: string;
  readonly origin: string;
  readonly state: 'closed' | 'half_open' | 'open';
}

const CIRCUIT_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * The gateway's Prometheus metrics, one registry per gateway instance (no global state).
 * Labels are bounded: route, status class, error code, tenant id — never a key or user input.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'workjet_requests_total',
    help: 'Requests answered, by route, tenant, status and error code.',
    labelNames: ['route', 'tenant', 'status', 'code'] as const,
    registers: [this.registry],
  });
  // The two histograms are observed 13 times a request: BoundHistogram skips prom-client's per-observe label hashing.
  readonly duration = new BoundHistogram({
    name: 'workjet_request_duration_seconds',
    help: 'Time from request received to response complete.',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly stageDuration = new BoundHistogram({
    name: 'workjet_stage_duration_seconds',
    help: 'Time spent in each pipeline stage (forward includes the provider; audit includes the spool fsync).',
    labelNames: ['route', 'stage'] as const,
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly policyReloads = new Counter({
    name: 'workjet_policy_reloads_total',
    help: 'Policy bundle reloads by result.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly failureModeAllowed = new Counter({
    name: 'workjet_failure_mode_allowed_total',
    help: 'Requests allowed because Redis was unreachable and redis.failMode is open.',
    registers: [this.registry],
  });
  readonly budgetAlerts = new Counter({
    name: 'workjet_budget_alerts_total',
    help: 'Budget threshold alerts raised.',
    labelNames: ['tenant', 'threshold'] as const,
    registers: [this.registry],
  });
  readonly dlpFindings = new Counter({
    name: 'workjet_dlp_findings_total',
    help: 'DLP detector matches by detector and action.',
    labelNames: ['tenant', 'detector', 'action'] as const,
    registers: [this.registry],
  });
  readonly auditSpoolRecords = new Gauge({
    name: 'workjet_audit_spool_records',
    help: 'Audit records spooled but not yet confirmed by the sink.',
    registers: [this.registry],
  });
  readonly auditOldestUndeliveredSeconds = new Gauge({
    name: 'workjet_audit_oldest_undelivered_seconds',
    help: 'Age of the oldest audit record not yet confirmed by the sink.',
    registers: [this.registry],
  });

  readonly circuitState = new Gauge({
    name: 'workjet_circuit_breaker_state',
    help: 'Circuit breaker state per provider endpoint: 0 closed, 1 half-open, 2 open (read at scrape time).',
    labelNames: ['provider', 'origin'] as const,
    registers: [this.registry],
    collect: () => this.#collectCircuits(),
  });
  readonly circuitShortCircuits = new Counter({
    name: 'workjet_circuit_breaker_short_circuits_total',
    help: 'Upstream attempts skipped because the endpoint\'s circuit was open.',
    labelNames: ['provider', 'origin'] as const,
    registers: [this.registry],
  });
  #circuits: (() => Iterable<CircuitReading>) | undefined;

  /** Where the circuit gauge reads from at each scrape (the forward stage's breakers). */
  watchCircuits(read: () => Iterable<CircuitReading>): void {
    this.#circuits = read;
  }

  // Several base URLs can share an origin (Azure deployments): the label set shows the worst of them.
  #collectCircuits(): void {
    this.circuitState.reset();
    const worst = new Map<string, { provider: string; origin: string; value: number }>();
    for (const r of this.#circuits?.() ?? []) {
      const key = `${r.provider} ${r.origin}`;
      const value = CIRCUIT_VALUE[r.state];
      if ((worst.get(key)?.value ?? -1) < value) worst.set(key, { provider: r.provider, origin: r.origin, value });
    }
    for (const { provider, origin, value } of worst.values()) this.circuitState.set({ provider, origin }, value);
  }

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import { TenantRegistry } from '../tenants/tenant-registry.js';
import { createSessionVerifier } from '../identity/session-verifier.js';
import { GatewayMetrics } from '../observability/metrics.js';
import { createLogger } from '../observability/logger.js';
import { createRequestHandler } from './request-handler.js';
import { createOpsRouter } from './ops-routes.js';
import { buildServices, type GatewayServices } from './build-services.js';
import { buildPipelines } from './build-pipeline.js';
import { buildAdminRouter } from './build-admin.js';
import { createOperatorRouter } from '../admin/operator-routes.js';
import { openTenantStore, type StoreEnv } from '../store/open-store.js';
import type { TenantStore } from '../store/tenant-store.js';
import { createOverloadGuard } from './overload-guard.js';
import { restartOnlyChanges } from './config-reload.js';
import { guardConnections, serverTimeoutOptions } from './connection-guard.js';

export interface GatewayOptions {
  readonly logger?: Logger;
  /** Recompile `policies/` with opa on every .rego change (the policy author's loop). */
  readonly watchPolicies?: boolean;
  /** Repository root (policies/, scripts/); defaults to the process cwd. */
  readonly repoRoot?: string;
  /** Collect Node's default process metrics (off in tests that start many gateways). */
  readonly defaultMetrics?: boolean;
  /** How long close() waits for in-flight requests before cutting their connections (default 30 s). */
  readonly drainTimeoutMs?: number;
  /** Where the store reads WORKJET_MASTER_KEY (default process.env). */
  readonly storeEnv?: StoreEnv;
  /** The registry's version check against the store (default 500 ms). */
  readonly storePollIntervalMs?: number;
}

export interface Gateway {
  readonly server: Server;
  /** The config in force (the latest one applied by reload()). */
  readonly config: GatewayConfig;
  readonly registry: TenantRegistry;
  /** The tenant data store (the admin API's only way to tenant data). */
  readonly store: TenantStore;
  readonly services: GatewayServices;
  /** Starts listening; port 0 picks a free port. Resolves with the bound address. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting, waits for in-flight requests, flushes audit, closes pools and stores. */
  close(): Promise<void>;
  /**
   * Applies an already validated config: tenants (swapped atomically in the registry) and the log
   * level now; returns the changed sections that need a restart (server, redis, audit, policy…).
   * Throws, changing nothing, if a tenant fails to build.
   */
  reload(config: GatewayConfig): Promise<{ readonly restartRequired: readonly string[] }>;
}

/** Builds a gateway from a validated config: all expensive work (DLP compile, WASM load, tier resolution) happens here, once. */
export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger({ level: config.logging.level });
  const metrics = new GatewayMetrics({ defaultMetrics: options.defaultMetrics ?? true });
  const store = await openTenantStore({ config, logger, env: options.storeEnv ?? process.env });
  let registry: TenantRegistry;
  let services: GatewayServices;
  try {
    registry = await TenantRegistry.open({ config, store, logger, ...(options.storePollIntervalMs === undefined ? {} : { pollIntervalMs: options.storePollIntervalMs }) });
  } catch (err) {
    await store.close();
    throw err;
  }
  const sessions = createSessionVerifier(config.auth.jwt);
  try {
    services = await buildServices({ config, logger, metrics, registry, repoRoot: options.repoRoot ?? process.cwd(), watchPolicies: options.watchPolicies ?? false });
  } catch (err) {
    registry.close();
    await store.close();
    throw err;
  }
  const pipelines = buildPipelines({ config, logger, metrics, registry, sessions, services, store });
  const sideRouters = [
    createOpsRouter({ metrics, readiness: [...services.readiness, { name: 'store', check: () => store.isHealthy() }], metricsToken: config.ops.metricsToken }),
    buildAdminRouter({ logger, registry, sessions, services, config, store }),
  ];
  const operator = createOperatorRouter({ token: config.operator?.token, tenants: store.operator, logger, maxBodyBytes: config.server.maxBodyBytes });
  if (operator) sideRouters.push(operator);
  const handler = createRequestHandler({
    pipelines,
    sideRouters,
    logger,
    metrics,
  });
  // In-flight requests, so close() can wait for them and then drop every socket (a keep-alive
  // socket that never sent a request is not "idle" to Node and would hold close() open).
  let inFlight = 0;
  let onDrained: (() => void) | undefined;
  const overload = createOverloadGuard(config.overload, metrics.registry);
  const server = createServer(serverTimeoutOptions(config.server), (req, res) => {
    if (!overload.admit(req, res)) return;
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) onDrained?.();
    });
    handler(req, res);
  });
  guardConnections(server, config.server, { registry: metrics.registry, logger });
  let closed = false;
  let current = config;

  return {
    server,
    get config() {
      return current;
    },
    registry,
    store,
    services,
    async reload(next) {
      // Awaited: a store-backed registry applies the YAML to its store before it rebuilds.
      await registry.reload(next);
      const restartRequired = restartOnlyChanges(current, next);
      logger.level = next.logging.level;
      // Sections that need a restart keep their running values; `config` reflects what is applied.
      current = Object.freeze({ ...current, tenants: next.tenants, dedicatedTenant: next.dedicatedTenant, logging: next.logging });
      return { restartRequired };
    },
    listen(port = config.server.port, host = config.server.host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(resolve, options.drainTimeoutMs ?? 30_000);
        deadline.unref();
        onDrained = () => {
          clearTimeout(deadline);
          resolve();
        };
        if (inFlight === 0) onDrained();
      });
      server.closeAllConnections();
      await stopped;
      overload.close();
      await services.close();
      registry.close();
      await store.close();
    },
  };
}

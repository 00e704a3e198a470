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
}

export interface Gateway {
  readonly server: Server;
  readonly config: GatewayConfig;
  readonly registry: TenantRegistry;
  readonly services: GatewayServices;
  /** Starts listening; port 0 picks a free port. Resolves with the bound address. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting, waits for in-flight requests, flushes audit, closes pools and stores. */
  close(): Promise<void>;
}

/** Builds a gateway from a validated config: all expensive work (DLP compile, WASM load, tier resolution) happens here, once. */
export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger({ level: config.logging.level });
  const metrics = new GatewayMetrics({ defaultMetrics: options.defaultMetrics ?? true });
  const registry = new TenantRegistry(config);
  const sessions = createSessionVerifier(config.auth.jwt);
  const services = await buildServices({ config, logger, metrics, registry, repoRoot: options.repoRoot ?? process.cwd(), watchPolicies: options.watchPolicies ?? false });
  const pipelines = buildPipelines({ config, logger, metrics, registry, sessions, services });
  const admin = buildAdminRouter({ logger, registry, sessions, services });
  const handler = createRequestHandler({
    pipelines,
    sideRouters: [createOpsRouter({ metrics, readiness: services.readiness, metricsToken: config.ops.metricsToken }), admin],
    logger,
    metrics,
  });
  // In-flight requests, so close() can wait for them and then drop every socket (a keep-alive
  // socket that never sent a request is not "idle" to Node and would hold close() open).
  let inFlight = 0;
  let onDrained: (() => void) | undefined;
  const server = createServer(serverTimeoutOptions(config.server), (req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) onDrained?.();
    });
    handler(req, res);
  });
  guardConnections(server, config.server, { registry: metrics.registry, logger });
  let closed = false;

  return {
    server,
    config,
    registry,
    services,
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
      await services.close();
    },
  };
}

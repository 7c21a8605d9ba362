/**
 * The engine's HTTP endpoint (node:http, no framework):
 * - `/metrics`  Prometheus text format 0.0.4 of the registry;
 * - `/healthz`  200 while the process serves requests (liveness: restart me if this fails);
 * - `/readyz`   200 only when `isReady()` says so, e.g. partitions assigned and
 *               state restored (readiness: do not count me as serving yet), else 503.
 * GET and HEAD only. Query strings are ignored.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { PROMETHEUS_CONTENT_TYPE } from './exposition.js';
import type { MetricsRegistry } from './metrics-registry.js';

/** A readiness answer; `reason` says what is still missing (shown in the 503 body). */
export type Readiness = boolean | { ready: boolean; reason?: string };

export interface MetricsServerOptions {
  registry: MetricsRegistry;
  /** Port to bind; 0 = any free port (tests). See `startConfiguredMetricsServer` for "0 = disabled". */
  port: number;
  /** Interface to bind; default all interfaces (Prometheus scrapes from elsewhere). */
  host?: string;
  isReady?: () => Readiness;
  logger?: Logger;
}

export interface MetricsServer {
  /** The bound port (the chosen one when 0 was asked). */
  port: number;
  /** e.g. http://127.0.0.1:9464; http://localhost:9464 when bound to all interfaces */
  url: string;
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';

function readiness(isReady: (() => Readiness) | undefined): { ready: boolean; reason: string } {
  if (!isReady) return { ready: true, reason: 'ready' };
  try {
    const r = isReady();
    if (typeof r === 'boolean') return { ready: r, reason: r ? 'ready' : 'not ready' };
    return { ready: r.ready, reason: r.reason ?? (r.ready ? 'ready' : 'not ready') };
  } catch (err) {
    return { ready: false, reason: `readiness check failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function send(req: IncomingMessage, res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function handler(options: MetricsServerOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(req, res, 405, TEXT, 'method not allowed\n');
      return;
    }
    switch (path) {
      case '/metrics': {
        let body: string;
        try {
          body = options.registry.metrics();
        } catch (err) {
          options.logger?.error({ err }, 'rendering /metrics failed');
          send(req, res, 500, TEXT, 'metrics unavailable\n');
          return;
        }
        send(req, res, 200, PROMETHEUS_CONTENT_TYPE, body);
        return;
      }
      case '/healthz':
        send(req, res, 200, TEXT, 'ok\n');
        return;
      case '/readyz': {
        const r = readiness(options.isReady);
        send(req, res, r.ready ? 200 : 503, TEXT, `${r.reason}\n`);
        return;
      }
      default:
        send(req, res, 404, TEXT, 'not found: try /metrics, /healthz or /readyz\n');
    }
  };
}

/** Starts listening; rejects with ConfigError (DRIFTWATCH_METRICS_PORT) when the port cannot be bound. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer(handler(options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'is already in use' : err.code === 'EACCES' ? 'needs more privileges' : `cannot be bound (${err.message})`;
      reject(new ConfigError('DRIFTWATCH_METRICS_PORT', `port ${options.port} ${why}; choose another port, or 0 to disable the metrics endpoint`, { cause: err }));
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  // Bound to every interface (the default), the URL names this host rather than one loopback: `[::1]` in the log
  // read as if only IPv6 loopback were served, and Prometheus scrapes from elsewhere anyway.
  const everywhere = address.address === '::' || address.address === '0.0.0.0';
  const host = everywhere ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  if (everywhere) options.logger?.info({ url, port: address.port, interfaces: 'all' }, 'metrics endpoint listening on all interfaces (/metrics, /healthz, /readyz)');
  else options.logger?.info({ url, port: address.port }, 'metrics endpoint listening (/metrics, /healthz, /readyz)');
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive scrapers would otherwise hold close() open until they time out.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Honours the configuration's meaning of the port: `metricsPort` 0 = no endpoint (returns null). */
export async function startConfiguredMetricsServer(
  metricsPort: number,
  options: Omit<MetricsServerOptions, 'port'>,
): Promise<MetricsServer | null> {
  if (metricsPort === 0) return null;
  return startMetricsServer({ ...options, port: metricsPort });
}

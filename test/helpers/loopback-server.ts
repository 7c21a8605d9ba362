/**
 * A plain HTTP server on a free loopback port, for unit tests that talk to a
 * fake registry or ClickHouse server. `close` also ends kept-alive
 * connections: the clients under test pool them, and `server.close` alone
 * would wait for them to time out.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  /** `127.0.0.1:<port>` */
  hostPort: string;
  close(): Promise<void>;
}

export async function listenLoopback(handler?: (req: IncomingMessage, res: ServerResponse) => void): Promise<LoopbackServer> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    hostPort: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A loopback port nobody listens on (a server was there a moment ago). */
export async function closedLoopbackPort(): Promise<string> {
  const server = await listenLoopback();
  await server.close();
  return server.hostPort;
}

/**
 * A stand-in Kafka broker (a fake, said so) that answers every request with a
 * protocol error kafkajs does not retry — by default ILLEGAL_SASL_STATE (34),
 * what a real broker answers a client that logs in with SASL on a listener
 * without it. Enough for a unit test of what a command says when Kafka
 * refuses it, without a broker and within a second.
 */
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RefusingBroker {
  /** `127.0.0.1:<port>`, for KAFKA_BROKERS. */
  hostPort: string;
  close(): Promise<void>;
}

export async function listenRefusingBroker(errorCode = 34): Promise<RefusingBroker> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      // Request: size (int32), then api key (int16), api version (int16), correlation id (int32), …
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const correlationId = buffered.readInt32BE(8);
        buffered = buffered.subarray(4 + buffered.readInt32BE(0));
        // An ApiVersions response (the client's first request): error code, no api versions, throttle time.
        const body = Buffer.alloc(4 + 2 + 4 + 4);
        body.writeInt32BE(correlationId, 0);
        body.writeInt16BE(errorCode, 4);
        body.writeInt32BE(0, 6);
        body.writeInt32BE(0, 10);
        const size = Buffer.alloc(4);
        size.writeInt32BE(body.length, 0);
        socket.write(Buffer.concat([size, body]));
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    hostPort: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

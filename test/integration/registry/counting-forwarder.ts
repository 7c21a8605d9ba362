/**
 * An HTTP forwarder in front of the real registry that records the path of
 * every request it passes on, so a test can count the registry look-ups a
 * decoder or encoder makes (the schema cache, the unknown-id memory).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Forwards every request to `target` (same path below its origin) and counts them by path. */
export async function countingForwarder(target: URL): Promise<{ server: Server; url: string; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
      fetch(new URL(req.url ?? '/', target.origin), { method: req.method, headers, body })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}${target.pathname.replace(/\/+$/, '')}`, paths };
}

import { createServer } from 'node:net';

/**
 * Ports this process handed out already. The OS may give the port it just
 * released to the very next bind(0): two engines started back to back then
 * got the same metrics port, and the second failed "port already in use"
 * (seen in CI). A port is handed out once per process.
 */
const handedOut = new Set<number>();

/** One port the OS picks, free on every interface right now (engines listen on all of them). */
function osPickedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A TCP port nobody listens on right now and this process has not handed out before: for child engines' metrics, test proxies. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await osPickedPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('freePort: the OS kept offering ports already handed out');
}

/** freePort never hands out a port twice in one process (the OS may offer a just-released port again: two engines then shared one). */
import { describe, it, expect } from 'vitest';
import { createServer } from 'node:net';
import { freePort } from '../../../lib/free-port.js';

describe('freePort', () => {
  it('gives distinct ports on back-to-back calls, each one bindable', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 40; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(ports[39], resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});

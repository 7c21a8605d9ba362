#!/usr/bin/env node
/** Entry point of the `driftwatch` binary; all logic lives in driftwatch.ts so tests can call it. */
import { main } from './driftwatch.js';
import { createLogger } from '../lib/logger.js';

const logger = createLogger();
main(process.argv.slice(2), { logger, env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`driftwatch: ${String(err)}\n`);
    process.exitCode = 1;
  },
);

#!/usr/bin/env node
import { formatCliError } from './cli-error';
import { createProgram } from './program';

createProgram()
  .parseAsync(process.argv)
  .then(() => {
    // tfjs's wasm worker threads keep the event loop alive; `serve` keeps running by itself.
    if (process.argv[2] !== 'serve') process.exit(process.exitCode ?? 0);
  })
  .catch((error: unknown) => {
    process.stderr.write(`${formatCliError(error)}\n`);
    process.exit(1);
  });

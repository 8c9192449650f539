/**
 * The real server worker, plus a way to make it hang: an upload named `hang.png` spins forever, as a decoder
 * stuck on a pathological file would. Registered before the real handler, so it runs first.
 */
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', (request: { name?: string }) => {
  if (request.name === 'hang.png') for (;;);
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../server-worker');

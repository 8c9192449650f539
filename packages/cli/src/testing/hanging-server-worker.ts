/**
 * The real server worker, plus a way to make it hang: an upload named `hang.png` spins forever, as a decoder
 * stuck on a pathological file would. This listener is added while the modules load, the real one only once
 * the model has loaded, so this one runs first.
 */
import { parentPort } from 'node:worker_threads';
import '../server-worker';

parentPort?.on('message', (request: { name?: string }) => {
  if (request.name === 'hang.png') for (;;);
});

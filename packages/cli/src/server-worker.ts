/**
 * The worker-thread side of `fracture serve`'s prediction pool (see server-workers.ts): loads the model once,
 * then decodes, classifies and explains one upload per message, so that none of this runs on the thread that
 * answers HTTP requests.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Buffer } from 'node:buffer';
import { decodeImageAsync } from '@fracture/preprocess';
import { createPredictor } from './predictor';
import type { Predictor } from './predictor';
import type { PoolWorkerData, WorkerReply, WorkerRequest } from './server-workers';

async function handle(predictor: Predictor, request: WorkerRequest): Promise<WorkerReply> {
  let image;
  try {
    image = await decodeImageAsync(request.bytes, { path: request.name, maxPixels: request.maxPixels });
  } catch (error) {
    return { id: request.id, ok: false, status: 415, message: (error as Error).message };
  }
  try {
    const [prediction] = predictor.predictImages([image]);
    const answer: Record<string, unknown> = { ...prediction, model: predictor.info.modelName };
    if (request.explain) {
      const explanation = await predictor.explain(image, { classIndex: prediction.classIndex });
      answer.overlayPng = Buffer.from(explanation.overlayPng).toString('base64');
    }
    return { id: request.id, ok: true, answer };
  } catch (error) {
    return { id: request.id, ok: false, status: 500, message: (error as Error).message };
  }
}

async function main(port: NonNullable<typeof parentPort>, data: PoolWorkerData): Promise<void> {
  let predictor: Predictor;
  try {
    predictor = await createPredictor(data.modelDir);
  } catch (error) {
    port.postMessage({ type: 'failed', message: (error as Error).message });
    return;
  }
  port.on('message', (request: WorkerRequest) => {
    void handle(predictor, request).then((reply) => port.postMessage(reply));
  });
  port.postMessage({ type: 'ready', info: predictor.info });
}

if (!isMainThread && parentPort && (workerData as PoolWorkerData | undefined)?.role === 'fracture-serve') {
  void main(parentPort, workerData as PoolWorkerData);
}

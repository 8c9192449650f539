import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createPredictor } from './predictor';
import { createPredictionPool, defaultPoolSize, PoolJobError } from './server-workers';
import type { PredictionPool } from './server-workers';
import { tempDir, useWasm } from './testing/fixtures';
import { jpegBomb, pngBomb } from './testing/bomb-uploads';
import { sourceWorker } from './testing/pool-workers';
import { fewImages, tinyModelDir } from './testing/tiny-model-dir';

jest.setTimeout(120_000);

describe('createPredictionPool', () => {
  let work: string;
  let modelDir: string;
  let image: Uint8Array;
  let pool: PredictionPool;

  beforeAll(async () => {
    await useWasm();
    work = await tempDir('pool');
    modelDir = await tinyModelDir(path.join(work, 'model'));
    image = new Uint8Array(await fs.readFile((await fewImages(path.join(work, 'images'), 2))[0]));
    // The time limit only bounds a hung job below; real jobs on this model take milliseconds.
    pool = await createPredictionPool({ modelDir, size: 1, timeoutMs: 4000, ...sourceWorker('testing/hanging-server-worker') });
  });
  afterAll(async () => {
    await pool?.close();
    await fs.rm(work, { recursive: true, force: true });
  });

  test('sized to the machine: the cores but one, between 1 and 4', () => {
    expect(defaultPoolSize()).toBeGreaterThanOrEqual(1);
    expect(defaultPoolSize()).toBeLessThanOrEqual(4);
  });

  test('answers as the in-process predictor does, with the overlay', async () => {
    const answer = await pool.predict({ bytes: image, name: 'a.png', explain: true });
    const predictor = await createPredictor(modelDir);
    try {
      const expected = await predictor.predictBytes(image);
      expect(answer.predictedClass).toBe(expected.predictedClass);
      expect(answer.probability).toBeCloseTo(expected.probability, 5);
      expect(typeof answer.overlayPng).toBe('string');
    } finally {
      predictor.dispose();
    }
    expect(pool.info.modelName).toBe('cnn');
  });

  test.each([
    ['png', pngBomb()],
    ['jpeg', jpegBomb()],
  ])('a %s bomb is refused with 415 and the reason, from its header', async (_format, bytes) => {
    const failure = pool.predict({ bytes, name: 'bomb', explain: false });
    await expect(failure).rejects.toBeInstanceOf(PoolJobError);
    await expect(pool.predict({ bytes, name: 'bomb', explain: false })).rejects.toMatchObject({ status: 415, message: expect.stringMatching(/^decodeImage: bomb: \d+x\d+ = .* exceeds the 179 MP limit/) });
  });

  test('a job over the time limit is stopped with 503, its worker replaced, and the next job is answered', async () => {
    await expect(pool.predict({ bytes: image, name: 'hang.png', explain: false })).rejects.toMatchObject({
      status: 503,
      message: 'decoding and classifying hang.png took longer than 4 s; stopped',
    });
    const answer = await pool.predict({ bytes: image, name: 'after.png', explain: false });
    expect(['fractured', 'not fractured']).toContain(answer.predictedClass);
    expect(pool.pending).toBe(0);
  });

  test('a full queue refuses with 503 instead of holding every upload; close rejects what waits', async () => {
    const small = await createPredictionPool({ modelDir, size: 1, maxQueue: 2, ...sourceWorker() });
    const jobs = Array.from({ length: 5 }, (_, i) => small.predict({ bytes: image, name: `${i}.png`, explain: false }));
    const settled = await Promise.allSettled(jobs);
    // One runs at once and two may wait: the other two are refused at once.
    const busy = settled.filter((r) => r.status === 'rejected' && (r.reason as PoolJobError).status === 503 && /^busy: /.test((r.reason as Error).message));
    expect(busy).toHaveLength(2);
    expect(settled.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const waiting = expect(small.predict({ bytes: image, name: 'late.png', explain: false })).rejects.toMatchObject({ status: 503, message: 'the server is shutting down' });
    await small.close();
    await waiting;
  });

  test('a model folder that cannot be loaded fails the pool at start, with the reason', async () => {
    await expect(createPredictionPool({ modelDir: path.join(work, 'nothing'), size: 1, ...sourceWorker() })).rejects.toThrow(/^createPredictionPool: readTrainedModelInfo: neither .*nothing\/fracture-model\.json nor .*nothing\/model\.json found/);
  });
});

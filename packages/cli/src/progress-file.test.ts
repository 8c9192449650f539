import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { openProgress } from './progress-file';
import { tempDir } from './testing/fixtures';

interface Scored {
  path: string;
  score: number;
}

describe('openProgress', () => {
  let work: string;
  beforeEach(async () => {
    work = await tempDir('progress');
  });
  afterEach(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  const settings = { key: 'model-a', inputSize: 224, methods: ['gradcam', 'occlusion'] };

  test('entries written by one job are reused by the next with the same settings, and gone after finish', async () => {
    const file = path.join(work, 'job.progress.json');
    const first = await openProgress<Scored>(file, settings, { everySeconds: 0, caller: 'test' });
    expect(first.resumed).toBe(0);
    await first.add({ path: 'a.png', score: 0.25 });
    await first.add({ path: 'b.png', score: 0.5 });

    const onDisk = JSON.parse(await fs.readFile(file, 'utf8'));
    // The settings sit at the top level beside the entries, the layout earlier progress files have.
    expect(onDisk).toEqual({ ...settings, images: [{ path: 'a.png', score: 0.25 }, { path: 'b.png', score: 0.5 }] });

    const second = await openProgress<Scored>(file, settings, { everySeconds: 0, caller: 'test' });
    expect(second.resumed).toBe(2);
    expect(second.done.get('b.png')).toEqual({ path: 'b.png', score: 0.5 });
    await second.finish();
    await expect(fs.stat(file)).rejects.toThrow(/ENOENT/);
  });

  test.each([
    ['another model', { ...settings, key: 'model-b' }],
    ['another input size', { ...settings, inputSize: 300 }],
    ['methods in another order', { ...settings, methods: ['occlusion', 'gradcam'] }],
    ['a setting the file lacks', { ...settings, tolerance: 15 }],
  ])('a file written with other settings is ignored: %s', async (_, other) => {
    const file = path.join(work, 'job.progress.json');
    const job = await openProgress<Scored>(file, settings, { everySeconds: 0, caller: 'test' });
    await job.add({ path: 'a.png', score: 1 });
    const reopened = await openProgress<Scored>(file, other, { everySeconds: 0, caller: 'test' });
    expect(reopened.resumed).toBe(0);
    expect(reopened.done.size).toBe(0);
  });

  test('an unreadable file starts the job again instead of failing it', async () => {
    const file = path.join(work, 'job.progress.json');
    await fs.writeFile(file, '{"key":"model-a","images":[{"path":"a.p');
    const job = await openProgress<Scored>(file, settings, { caller: 'test' });
    expect(job.resumed).toBe(0);
  });

  test('writes at most every `everySeconds`, and never without a file', async () => {
    const file = path.join(work, 'job.progress.json');
    const job = await openProgress<Scored>(file, settings, { everySeconds: 3600, caller: 'test' });
    await job.add({ path: 'a.png', score: 1 });
    await expect(fs.stat(file)).rejects.toThrow(/ENOENT/);
    expect(job.done.size).toBe(1);

    const inMemory = await openProgress<Scored>(undefined, settings, { everySeconds: 0, caller: 'test' });
    await inMemory.add({ path: 'a.png', score: 1 });
    await inMemory.finish();
    expect(await fs.readdir(work)).toEqual([]);
  });

  test('save writes every entry at once, whatever the cadence', async () => {
    const file = path.join(work, 'job.progress.json');
    const job = await openProgress<Scored>(file, settings, { everySeconds: 3600, caller: 'test' });
    await job.add({ path: 'a.png', score: 1 });
    await job.add({ path: 'b.png', score: 0 });
    await expect(fs.stat(file)).rejects.toThrow(/ENOENT/);
    await job.save();
    expect(JSON.parse(await fs.readFile(file, 'utf8')).images).toEqual([{ path: 'a.png', score: 1 }, { path: 'b.png', score: 0 }]);
  });

  test('a write that fails names the file and the caller', async () => {
    const file = path.join(work, 'missing-folder', 'job.progress.json');
    const job = await openProgress<Scored>(file, settings, { everySeconds: 0, caller: 'predictItems' });
    await expect(job.add({ path: 'a.png', score: 1 })).rejects.toThrow(/^predictItems: cannot write .*job\.progress\.json/);
  });
});

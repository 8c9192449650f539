import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { collectImageInputs } from './predict-run';
import { runCli, tempDir, useWasm } from './testing/fixtures';
import { fewImages, tinyModelDir } from './testing/tiny-model-dir';

jest.setTimeout(120_000);

describe('fracture predict loses nothing', () => {
  let work: string;
  let modelDir: string;
  let images: string[];

  beforeAll(async () => {
    await useWasm();
    work = await tempDir('predict');
    modelDir = await tinyModelDir(path.join(work, 'model'));
    images = (await fewImages(path.join(work, 'images'), 4)).slice(0, 2);
  });
  afterAll(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  test('a missing path is reported and the other files are still classified; the exit is non-zero', async () => {
    const missing = path.join(work, 'no-such.png');
    const result = await runCli(['predict', images[0], missing, images[1], '--model-dir', modelDir]);
    expect(result.exitCode).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${images[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (fractured|not fractured) \\(`));
    expect(lines[1].startsWith(`${images[1]}: `)).toBe(true);
    // The failure goes to stderr, never into the results on stdout.
    expect(result.stderr).toContain(`predict: ${missing}: no such file or folder`);
    expect(result.stdout).not.toContain('no-such');
  });

  test('with --json the failed file is an entry with its error, between the others, and the reason is on stderr', async () => {
    const broken = path.join(work, 'broken.png');
    await fs.writeFile(broken, 'not a png');
    const result = await runCli(['--json', 'predict', images[0], broken, '--model-dir', modelDir]);
    expect(result.exitCode).toBe(1);
    const entries = JSON.parse(result.stdout);
    expect(entries.map((e: { file: string }) => e.file)).toEqual([images[0], broken]);
    expect(entries[1].error).toContain(broken);
    expect(result.stderr).toContain(`predict: ${broken}: not a PNG, JPEG or DICOM file`);
  });

  test('a file name with a newline stays on one escaped result line', async () => {
    const odd = path.join(work, 'odd\nname.png');
    await fs.copyFile(images[0], odd);
    const result = await runCli(['predict', odd, images[1], '--model-dir', modelDir]);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0].startsWith(`${JSON.stringify(odd)}: `)).toBe(true);
  });

  test('a model whose weights are NaN is refused at load, naming a weight; nothing is called "fractured"', async () => {
    const poisoned = await tinyModelDir(path.join(work, 'poisoned'), { poison: true });
    const result = await runCli(['--json', 'predict', images[0], '--model-dir', poisoned]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/loadTrainedModel: .*poisoned\/model\.json: weight '[^']+' holds \d+ NaN or infinite value\(s\) of \d+/);
  });

  test('collectImageInputs keeps argument order and marks missing paths instead of throwing', async () => {
    const folder = path.join(work, 'images');
    const inputs = await collectImageInputs([path.join(work, 'gone'), images[1], folder]);
    expect(inputs[0]).toEqual({ file: path.join(work, 'gone'), error: 'no such file or folder' });
    expect(inputs[1]).toEqual({ file: images[1] });
    const listed = inputs.slice(2).map((i) => i.file);
    expect(listed).toEqual([...listed].sort());
    expect(listed).toEqual(expect.arrayContaining(images));
  });
});

import { existsSync, promises as fs, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { getModelCard, PRETRAINED_MODEL_NAMES } from '@fracture/pretrained';
import { fracAtlasDataset, runCli, tempDir, useWasm } from './testing/fixtures';
import { resolveModelDir } from './model-source';
import { sourceWorker } from './testing/pool-workers';

jest.setTimeout(300_000);

const NAME = PRETRAINED_MODEL_NAMES[0];
const FRACATLAS = path.resolve(__dirname, '../../../../shared/data/fracatlas');
const haveData = existsSync(path.join(FRACATLAS, 'images'));
if (!haveData) console.warn(`skipping the shipped-model predictions on real radiographs: ${FRACATLAS} is absent`);

/** `--model <name>`: the shipped model in every command that takes `--model-dir`, and `fracture models`. */
describe('shipped models in the fracture command', () => {
  let work: string;

  beforeAll(async () => {
    await useWasm();
    work = await tempDir('pretrained');
  });

  afterAll(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  test('models --json lists the shipped models, recommended first, with their cards', async () => {
    const result = await runCli(['--json', 'models']);
    expect(result.exitCode).toBe(0);
    const cards = JSON.parse(result.stdout);
    expect(Array.isArray(cards)).toBe(true);
    expect(cards[0].recommended).toBe(true);
    expect(cards[0]).toEqual(getModelCard(cards[0].name));
    expect(cards[0].metrics.test.auc.estimate).toBeGreaterThan(0.5);
    const text = await runCli(['models']);
    expect(text.stdout).toContain(`${NAME} (recommended)`);
    expect(text.stdout).toContain(`fracture predict <image> --model ${NAME}`);
  });

  test('--model and --model-dir together, or an unknown name, are refused with the reason', async () => {
    const both = await runCli(['predict', 'x.png', '--model', NAME, '--model-dir', work]);
    expect(both.exitCode).not.toBe(0);
    expect(both.stderr).toContain('predict: pass --model <name> or --model-dir <dir>, not both');
    const unknown = await runCli(['evaluate', '--model', 'resnet-9000', '--data', work]);
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toContain(`evaluate: no shipped model named "resnet-9000"; shipped: ${PRETRAINED_MODEL_NAMES.join(', ')} (list them with 'fracture models')`);
    const neither = await runCli(['explain', 'x.png']);
    expect(neither.stderr).toContain("explain: pass --model <name> (a shipped model: 'fracture models') or --model-dir <dir>");
    expect(() => resolveModelDir('serve', {}, 'fallback')).not.toThrow();
    expect(resolveModelDir('serve', {}, 'fallback')).toBe('fallback');
  });

  (haveData ? test : test.skip)('predict and explain --model classify real radiographs at the card threshold', async () => {
    const card = getModelCard(NAME);
    const files = [path.join(FRACATLAS, 'images', 'Fractured'), path.join(FRACATLAS, 'images', 'Non_fractured')].map(
      (dir) => path.join(dir, readdirSync(dir).sort()[0]),
    );
    const result = await runCli(['--json', 'predict', ...files, '--model', NAME]);
    expect(result.exitCode).toBe(0);
    const predictions = JSON.parse(result.stdout) as { predictedClass: string; probabilities: Record<string, number> }[];
    expect(predictions).toHaveLength(2);
    for (const p of predictions) {
      // The shipped operating point decides, not the arg-max.
      expect(p.predictedClass).toBe(p.probabilities.fractured >= card.threshold.value ? 'fractured' : 'not fractured');
    }
    const out = path.join(work, 'explain');
    const explained = await runCli(['--json', 'explain', files[0], '--model', NAME, '--out', out]);
    expect(explained.exitCode).toBe(0);
    const [entry] = JSON.parse(explained.stdout);
    const overlay = PNG.sync.read(await fs.readFile(entry.overlay));
    expect(overlay.width).toBeGreaterThan(0);
  });

  test('evaluate --model on a whole external folder', async () => {
    const atlas = await fracAtlasDataset(path.join(work, 'atlas'), 12, 64);
    const out = path.join(work, 'eval');
    const result = await runCli(['--json', 'evaluate', '--model', NAME, '--data', atlas, '--part', 'all', '--bootstrap', '50', '--out', out]);
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.n).toBe(12);
    expect(json.threshold).toBe(getModelCard(NAME).threshold.value);
    await expect(fs.stat(path.join(out, 'report.md'))).resolves.toBeTruthy();
  });

  test('serve --model answers /health with the shipped model and stops on SIGTERM', async () => {
    const listeners = new Map<string, () => void>();
    const exits: number[] = [];
    const lifecycle = { once: (signal: string, listener: () => void) => listeners.set(signal, listener), exit: (code: number) => exits.push(code) };
    const result = await runCli(['--json', 'serve', '--model', NAME, '--port', '0', '--workers', '1'], { lifecycle, serveWorker: sourceWorker() });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const { url } = JSON.parse(result.stdout);
    const health = await (await fetch(`${url}/health`)).json();
    expect(JSON.stringify(health)).toContain('mobilenetv2');
    listeners.get('SIGTERM')?.();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(exits).toEqual([0]);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});

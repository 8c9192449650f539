import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fracAtlasDataset, runCli, syntheticDataset, tempDir, useWasm } from './testing/fixtures';

jest.setTimeout(300_000);

describe('fracture reproduce and demo', () => {
  let work: string;

  beforeAll(async () => {
    await useWasm();
    work = await tempDir('reproduce');
  });

  afterAll(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  test('reproduce writes report.md and report.html with both protocols, states the reduced budget, and resumes', async () => {
    const data = await syntheticDataset(path.join(work, 'data'), 160, 32);
    const out = path.join(work, 'report');
    const common = ['--data', data, '--models', 'cnn', '--bootstrap', '50', '--backend', 'wasm', '--cache-dir', path.join(work, 'cache'), '--out', out];
    // One process per protocol is how a 2-core machine runs both at once; per-model budgets are accepted.
    const paperOnly = ['--json', 'reproduce', ...common, '--protocol', 'paper', '--epochs', 'cnn=1', '--max-train-images', '64', '--note', "the machine's other core ran the grouped protocol"];
    const first = await runCli(paperOnly);
    expect(first.exitCode).toBe(0);
    expect(JSON.parse(first.stdout).results.map((r: { protocol: string }) => r.protocol)).toEqual(['paper']);

    const both = ['--json', 'reproduce', ...common, '--epochs', '1', '--max-train-images', 'cnn=64'];
    const second = await runCli(both);
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toContain('paper/cnn: already finished, skipping');
    const json = JSON.parse(second.stdout);
    expect(json.results.map((r: { protocol: string }) => r.protocol)).toEqual(['paper', 'grouped']);

    const markdown = await fs.readFile(path.join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('98.24 %'); // the paper's CNN figure beside ours
    expect(markdown).toContain('**reduced**: 1 ep × 64 img');
    // Table 1 states the budget in the same row as the numbers it produced.
    const cnnRow = markdown.split('\n').find((line) => line.startsWith('| Custom CNN |'))!;
    expect(cnnRow).toMatch(/\| paper: \*\*reduced\*\*: 1 of 10 epochs, 64 of \d+ images; grouped: \*\*reduced\*\*: 1 of 10 epochs, 64 of \d+ images \|/);
    expect(cnnRow).toContain('| 98.24 % |');
    expect(markdown).toContain('paper: accuracy');
    expect(markdown).toContain('(50 resamples of whole source radiographs)');
    expect(markdown).toContain('grouped: accuracy');
    expect(markdown).toContain('evaluation time');
    // A note given to one process reaches the report assembled by another.
    expect(markdown).toContain("Note: the machine's other core ran the grouped protocol");
    expect(markdown).toContain(`Measured on: ${os.cpus()[0]!.model.trim()}, ${os.cpus().length} cores`);
    // Each result names the command that produced it.
    expect(markdown).toContain('produced by these commands');
    expect(markdown).toContain(`fracture ${paperOnly.slice(0, -1).join(' ')} 'the machine'\\''s other core ran the grouped protocol'`);
    expect(markdown).toContain(`fracture ${both.join(' ')}`);
    const html = await fs.readFile(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('<table>');
    for (const image of markdown.match(/\]\(([^)]+\.png)\)/g) ?? []) {
      const file = decodeURI(image.slice(2, -1));
      await expect(fs.stat(path.join(out, file))).resolves.toBeTruthy();
    }
    // The grouped split shares no source between its parts; the report says how many the paper split shares.
    expect(markdown).toMatch(/\| grouped \| \d+ \| \d+ \| \d+ \| 0 \|/);

    // Throughput is over the training steps alone; the full-run estimate adds one validation pass per epoch.
    for (const protocol of ['paper', 'grouped']) {
      const result = JSON.parse(await fs.readFile(path.join(out, protocol, 'cnn', 'result.json'), 'utf8'));
      const validation = result.history.map((epoch: { val_seconds: number }) => epoch.val_seconds);
      const steps = result.history.reduce((sum: number, epoch: { seconds: number; val_seconds: number }) => sum + epoch.seconds - epoch.val_seconds, 0);
      expect(result.throughputExcludesValidation).toBe(true);
      expect(result.imagesPerSecond).toBeCloseTo((result.trainImages * result.epochs) / steps, 6);
      const meanValidation = validation.reduce((a: number, b: number) => a + b, 0) / validation.length;
      expect(result.fullRunHours).toBeCloseTo((10 * (result.fullTrainImages / result.imagesPerSecond + meanValidation)) / 3600, 9);
    }

    const third = await runCli(both);
    expect(third.exitCode).toBe(0);
    expect(third.stderr).toContain('grouped/cnn: already finished, skipping');

    // External validation: a re-run with --external-data evaluates the finished runs whose model folders are there.
    const atlas = await fracAtlasDataset(path.join(work, 'atlas'));
    await fs.rm(path.join(out, 'grouped', 'cnn', 'model'), { recursive: true });
    const fourth = await runCli([...both, '--external-data', atlas]);
    expect(fourth.exitCode).toBe(0);
    expect(fourth.stderr).toContain('paper/cnn: external validation on 40 images');
    expect(fourth.stderr).toMatch(/left out .*IMG0009999\.jpg: truncated JPEG/);
    expect(fourth.stderr).toContain('grouped/cnn: no model folder');
    const paperResult = JSON.parse(await fs.readFile(path.join(out, 'paper', 'cnn', 'result.json'), 'utf8'));
    expect(paperResult.external).toMatchObject({ dataset: 'atlas', n: 40, threshold: 0.5 });
    expect(paperResult.external.subgroups.map((g: { group: string }) => g.group)).toContain('implant: no');
    expect(paperResult.external.localisation.rows.map((r: { method: string }) => r.method)).toEqual(['gradcam', 'gradcam++', 'centre prior', 'uniform']);
    const external = await fs.readFile(path.join(out, 'report.md'), 'utf8');
    expect(external).toContain('## External validation on atlas');
    const section = external.split('## External validation on atlas')[1]!.split('\n## ')[0]!;
    const row = section.split('\n').find((line) => line.startsWith('| paper | Custom CNN | **reduced**'))!;
    expect(row).toContain(`| 40 (${paperResult.external.positives}) |`);
    expect(row).toContain(`| ${paperResult.external.metrics.auc.estimate.toFixed(3)} (`);
    expect(section).toContain('| paper | Custom CNN | centre prior |');
    expect(section).toContain('Not validated externally (their model folders were not kept): grouped/Custom CNN.');
  });

  test('demo trains, evaluates and writes its report', async () => {
    const out = path.join(work, 'demo');
    const result = await runCli(['--json', 'demo', '--out', out, '--images', '160', '--epochs', '2', '--backend', 'wasm']);
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.testImages).toBeGreaterThan(0);
    const report = await fs.readFile(json.report, 'utf8');
    expect(report).toContain('# fracture-ai demo');
    expect(report).toContain('gradcam/');
  });
});

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli, syntheticDataset, tempDir, useWasm } from './testing/fixtures';

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
    const args = ['--json', 'reproduce', '--data', data, '--models', 'cnn', '--epochs', '1', '--max-train-images', '64', '--bootstrap', '50', '--backend', 'wasm', '--cache-dir', path.join(work, 'cache'), '--out', out];
    const first = await runCli(args);
    expect(first.exitCode).toBe(0);
    const json = JSON.parse(first.stdout);
    expect(json.results.map((r: { protocol: string }) => r.protocol)).toEqual(['paper', 'grouped']);
    const markdown = await fs.readFile(path.join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('98.24 %'); // the paper's CNN figure beside ours
    expect(markdown).toContain('**reduced**: 1 ep × 64 img');
    expect(markdown).toContain('paper: accuracy');
    expect(markdown).toContain('(50 resamples of whole source radiographs)');
    expect(markdown).toContain('grouped: accuracy');
    const html = await fs.readFile(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('<table>');
    for (const image of markdown.match(/\]\(([^)]+\.png)\)/g) ?? []) {
      const file = decodeURI(image.slice(2, -1));
      await expect(fs.stat(path.join(out, file))).resolves.toBeTruthy();
    }
    // The grouped split shares no source between its parts; the report says how many the paper split shares.
    expect(markdown).toMatch(/\| grouped \| \d+ \| \d+ \| \d+ \| 0 \|/);

    const second = await runCli(args);
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toContain('already finished, skipping');
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

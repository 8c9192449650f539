import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { chromium } from 'playwright-core';
import { createPredictor } from './predictor';
import type { Predictor } from './predictor';
import { startServer } from './server';
import type { RunningServer } from './server';
import { runCli, syntheticDataset, tempDir, useWasm } from './testing/fixtures';

jest.setTimeout(240_000);

const CHROMIUM = '/usr/bin/chromium';

describe('fracture serve', () => {
  let work: string;
  let predictor: Predictor;
  let server: RunningServer;
  let sample: string;

  beforeAll(async () => {
    await useWasm();
    work = await tempDir('serve');
    const data = await syntheticDataset(path.join(work, 'data'), 48, 32);
    const trained = await runCli(['train', '--model', 'cnn', '--data', data, '--epochs', '1', '--batch-size', '16', '--input-size', '32', '--grayscale', '--backend', 'wasm', '--out', path.join(work, 'run')]);
    if (trained.exitCode !== 0) throw new Error(trained.stderr);
    predictor = await createPredictor(path.join(work, 'run', 'model'));
    server = await startServer(predictor, { port: 0, maxUploadBytes: 64 * 1024 });
    const folder = path.join(data, 'val', 'fractured');
    sample = path.join(folder, (await fs.readdir(folder))[0]);
  });

  afterAll(async () => {
    await server?.close();
    predictor?.dispose();
    await fs.rm(work, { recursive: true, force: true });
  });

  test('binds to localhost by default', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('POST /predict returns probabilities and a Grad-CAM overlay PNG', async () => {
    const response = await fetch(`${server.url}/predict`, { method: 'POST', body: await fs.readFile(sample) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { predictedClass: string; probabilities: Record<string, number>; overlayPng: string };
    expect(['fractured', 'not fractured']).toContain(body.predictedClass);
    expect(body.probabilities.fractured + body.probabilities['not fractured']).toBeCloseTo(1, 5);
    const overlay = PNG.sync.read(Buffer.from(body.overlayPng, 'base64'));
    const original = PNG.sync.read(await fs.readFile(sample));
    expect([overlay.width, overlay.height]).toEqual([original.width, original.height]);
  });

  test('refuses non-images (415), empty bodies (400), oversized uploads (413), wrong methods and paths', async () => {
    const text = await fetch(`${server.url}/predict`, { method: 'POST', body: 'hello', headers: { 'x-file-name': 'notes.txt' } });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: string }).error).toContain('notes.txt');
    expect((await fetch(`${server.url}/predict`, { method: 'POST', body: '' })).status).toBe(400);
    expect((await fetch(`${server.url}/predict`, { method: 'POST', body: new Uint8Array(65 * 1024) })).status).toBe(413);
    expect((await fetch(`${server.url}/predict`)).status).toBe(405);
    expect((await fetch(`${server.url}/../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${server.url}/node_modules/x.js`)).status).toBe(404);
  });

  test('GET / serves the page', async () => {
    const response = await fetch(server.url);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('Drop an X-ray');
  });

  const browserTest = existsSync(CHROMIUM) ? test : test.skip;
  if (!existsSync(CHROMIUM)) console.warn(`skipping the browser test: ${CHROMIUM} not found (scripts/install-reference-tools.sh installs Debian's chromium)`);

  browserTest('in Chromium: choosing an X-ray shows the prediction and the overlay', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      await page.setInputFiles('#file', sample);
      await page.waitForSelector('#overlay', { timeout: 60_000 });
      const heading = await page.textContent('#prediction');
      expect(heading).toMatch(/^(fractured|not fractured) \(\d+\.\d %\)$/);
      const loaded = await page.$eval('#overlay', (img) => {
        const element = img as unknown as { complete: boolean; naturalWidth: number };
        return element.complete && element.naturalWidth > 0;
      });
      expect(loaded).toBe(true);
    } finally {
      await browser.close();
    }
  });
});

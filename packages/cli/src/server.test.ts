import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { createPredictor } from './predictor';
import type { Predictor } from './predictor';
import { startServer } from './server';
import type { RunningServer } from './server';
import { runCli, syntheticDataset, tempDir, useWasm } from './testing/fixtures';

jest.setTimeout(240_000);

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

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

  // A real radiograph (Kaggle "Fracture Detection Using X-ray Images", Apache-2.0; see examples/browser-app/fixtures).
  const XRAY = path.join(__dirname, 'testing', 'xray.jpg');

  async function readPage(page: Page) {
    await page.waitForSelector('#where', { timeout: 90_000 });
    return page.evaluate(() => {
      const rows = Array.from(document.querySelectorAll('#result table tr')).map((row) => Array.from(row.querySelectorAll('td')).map((cell) => cell.textContent ?? ''));
      const overlay = document.querySelector('#overlay') as HTMLImageElement | null;
      return {
        heading: document.querySelector('#prediction')?.textContent ?? '',
        where: (document.querySelector('#where') as HTMLElement).dataset.where,
        percents: Object.fromEntries(rows.map(([name, value]) => [name, Number.parseFloat(value!)])),
        overlayLoaded: overlay !== null && overlay.complete && overlay.naturalWidth > 0,
      };
    });
  }

  browserTest('in Chromium: a dropped X-ray is classified and explained in the page; nothing is uploaded', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const posts: string[] = [];
      page.on('request', (request) => void (request.method() !== 'GET' && posts.push(request.url())));
      await page.goto(server.url);
      const bytes = [...(await fs.readFile(XRAY))];
      // A real drop: a DataTransfer holding the file, dispatched on the drop zone.
      const transfer = await page.evaluateHandle((data) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(data)], 'xray.jpg', { type: 'image/jpeg' }));
        return dt;
      }, bytes);
      await page.dispatchEvent('#drop', 'drop', { dataTransfer: transfer });
      const shown = await readPage(page);
      expect(shown.where).toBe('browser');
      expect(posts).toEqual([]);
      expect(shown.overlayLoaded).toBe(true);
      // The server's own prediction of the same file is the reference (its JPEG decoder differs by a level or two).
      const reference = await predictor.predictBytes(new Uint8Array(bytes), 'xray.jpg');
      expect(shown.heading).toMatch(new RegExp(`^${reference.predictedClass} \\(\\d+\\.\\d %\\)$`));
      for (const [name, p] of Object.entries(reference.probabilities)) expect(Math.abs(shown.percents[name]! - 100 * p)).toBeLessThan(1);
    } finally {
      await browser.close();
    }
  });

  browserTest('in Chromium: when the page cannot run the model, the local server answers', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.route('**/app.js', (route) => route.abort());
      const posts: string[] = [];
      page.on('request', (request) => void (request.method() === 'POST' && posts.push(new URL(request.url()).pathname)));
      await page.goto(server.url);
      await page.setInputFiles('#file', XRAY);
      const shown = await readPage(page);
      expect(shown.where).toBe('server');
      expect(posts).toEqual(['/predict']);
      expect(shown.overlayLoaded).toBe(true);
      const reference = await predictor.predictBytes(await fs.readFile(XRAY), 'xray.jpg');
      for (const [name, p] of Object.entries(reference.probabilities)) expect(Math.abs(shown.percents[name]! - 100 * p)).toBeLessThan(0.06);
    } finally {
      await browser.close();
    }
  });
});

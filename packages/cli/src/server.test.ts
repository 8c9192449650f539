import { execFile as execFileCallback } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { createPredictor } from './predictor';
import type { Predictor } from './predictor';
import { startServer } from './server';
import type { RunningServer } from './server';
import { createPredictionPool, defaultPoolSize } from './server-workers';
import type { PredictionPool } from './server-workers';
import { pngBomb } from './testing/bomb-uploads';
import { runCli, syntheticDataset, tempDir, useWasm } from './testing/fixtures';
import { sourceWorker } from './testing/pool-workers';
import { fewImages, tinyModelDir } from './testing/tiny-model-dir';

jest.setTimeout(240_000);

const execFile = promisify(execFileCallback);

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

describe('fracture serve under hostile use (worker pool)', () => {
  let work: string;
  let pool: PredictionPool;
  let server: RunningServer;
  let image: Buffer;
  let port: number;

  beforeAll(async () => {
    await useWasm();
    work = await tempDir('serve-load');
    const modelDir = await tinyModelDir(path.join(work, 'model'));
    // Radiograph-like work per upload (decode, resize, overlay at full size), not a thumbnail's.
    image = await fs.readFile((await fewImages(path.join(work, 'images'), 2, 256))[0]);
    pool = await createPredictionPool({ modelDir, size: defaultPoolSize(), maxQueue: 256, ...sourceWorker() });
    server = await startServer(pool, { port: 0, maxUploadBytes: 2 * 1024 * 1024 });
    port = Number(new URL(server.url).port);
  });
  afterAll(async () => {
    await server?.close();
    await pool?.close();
    await fs.rm(work, { recursive: true, force: true });
  });

  /** A raw request, so that the Host header and the body's pacing are ours to choose. */
  function rawRequest(options: http.RequestOptions, write?: (req: http.ClientRequest) => void): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, ...options }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      req.on('error', reject);
      if (write) write(req);
      else req.end();
    });
  }

  test('a Host header naming another host (DNS rebinding) is refused with 421; IP and localhost are answered', async () => {
    const rebinding = await rawRequest({ path: '/health', headers: { host: `attacker.example:${port}` } });
    expect(rebinding.status).toBe(421);
    expect(JSON.parse(rebinding.body).error).toContain("unknown host 'attacker.example:");
    expect((await rawRequest({ path: '/health', headers: { host: `localhost:${port}` } })).status).toBe(200);
    expect((await rawRequest({ path: '/health', headers: { host: `127.0.0.1:${port}` } })).status).toBe(200);
  });

  test('an oversized chunked upload gets a 413 answer, not a reset', async () => {
    const block = Buffer.alloc(64 * 1024, 7);
    const response = await rawRequest({ method: 'POST', path: '/predict', headers: { 'transfer-encoding': 'chunked' } }, (req) => {
      // Keep sending, as a client streaming a large file would, until the answer arrives.
      let sent = 0;
      let answered = false;
      const pump = () => {
        while (!answered && sent < 64 && req.write(block)) sent += 1;
        if (answered || sent >= 64) req.end();
        else req.once('drain', pump);
      };
      req.on('response', () => (answered = true));
      pump();
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body).error).toBe(`upload exceeds the limit of ${2 * 1024 * 1024} bytes`);
  });

  test('100 concurrent uploads, a slow client and a bomb in flight: /health stays fast, every upload is answered, memory returns', async () => {
    // Warm up (first inference compiles kernels) before taking the memory baseline.
    expect((await fetch(`${server.url}/predict`, { method: 'POST', body: arrayBufferOf(image) })).status).toBe(200);
    const baseline = process.memoryUsage().rss;

    // A client that sends its headers and then trickles the body: it must hold only its own connection.
    const slow = net.connect(port, '127.0.0.1');
    slow.write(`POST /predict HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 100000\r\n\r\n`);
    const trickle = setInterval(() => slow.write('x'), 50);
    slow.on('error', () => {});

    const bomb = fetch(`${server.url}/predict`, { method: 'POST', body: arrayBufferOf(pngBomb()), headers: { 'x-file-name': 'bomb.png' } });
    // The 100 clients run in their own process: in this one, their own sending would delay the health checks
    // that are meant to measure the server.
    const imageFile = path.join(work, 'upload.png');
    await fs.writeFile(imageFile, image);
    const clients = execFile(process.execPath, [
      '-e',
      `const bytes = require('fs').readFileSync(${JSON.stringify(imageFile)});
       Promise.all(Array.from({ length: 100 }, () => fetch(${JSON.stringify(`${server.url}/predict`)}, { method: 'POST', body: bytes }).then((r) => r.status)))
         .then((statuses) => process.stdout.write(JSON.stringify(statuses)));`,
    ]);

    let done = false;
    const healthTimes: number[] = [];
    const all = clients.then(({ stdout }) => JSON.parse(stdout) as number[]).finally(() => (done = true));
    while (!done) {
      const started = performance.now();
      const health = await fetch(`${server.url}/health`);
      await health.arrayBuffer();
      healthTimes.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const statuses = await all;
    clearInterval(trickle);
    slow.destroy();

    const bombAnswer = await bomb;
    expect(bombAnswer.status).toBe(415);
    expect(((await bombAnswer.json()) as { error: string }).error).toMatch(/^decodeImage: bomb\.png: 20000x20000 = 400 MP exceeds the 179 MP limit/);
    expect(statuses).toEqual(Array(100).fill(200));
    expect(healthTimes.length).toBeGreaterThan(3);
    // The issue asks for "a few milliseconds". Measured on a 2-core box already running another training (load
    // average 4): median 2-3 ms, the slowest single check 120-560 ms (this thread shares the two cores with the
    // worker, the 100 clients and jest itself, and is sometimes simply not scheduled). Decoding on this thread
    // instead stalled a health check for 19 s. So: a median of tens of ms at most, and no check near 2 s.
    const sorted = [...healthTimes].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(`health under load: ${healthTimes.length} checks, median ${median.toFixed(0)} ms, slowest ${sorted.slice(-3).map((t) => t.toFixed(0)).join(', ')} ms`);
    expect(median).toBeLessThan(50);
    expect(sorted[sorted.length - 1]).toBeLessThan(2000);
    // Nothing of the load is kept: the server holds only its model and buffers in the workers.
    expect(process.memoryUsage().rss - baseline).toBeLessThan(200 * 1024 * 1024);
  });
});

/** The bytes as an ArrayBuffer of their own, which fetch's body type accepts (a Node Buffer's may be shared). */
function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { gradCam } from '@fracture/explain';
import { createModel } from '@fracture/models';
import { MODEL, prepare } from './app.js';
import { build } from './build.mjs';

const CHROMIUM = process.env.FRACTURE_CHROMIUM ?? '/usr/bin/chromium';
const here = dirname(fileURLToPath(import.meta.url));
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} not found: scripts/install-reference-tools.sh installs Debian's chromium (FRACTURE_CHROMIUM points elsewhere)`;
if (skip) console.warn(`skipping the browser tests: ${skip}`);

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.jpg': 'image/jpeg' };
let out;
let server;
let url;
let browser;
let page;
const requests = [];

before(async () => {
  if (skip) return;
  out = await mkdtemp(join(tmpdir(), 'fracture-browser-app-'));
  await build(join(out, 'dist'));
  // A static server for the page, the bundle and the wasm binaries; it logs what the page asks for.
  server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname));
    requests.push(path);
    const file = path === '/' ? join(here, 'index.html') : path.startsWith('/dist/') ? join(out, path) : null;
    const body = file && (await readFile(file).catch(() => null));
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}`;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  // Nothing but this server: a request elsewhere (a CDN for the wasm files, say) fails the test.
  await page.route('**/*', (route) => (route.request().url().startsWith(url) ? route.continue() : route.abort()));
  await page.goto(url);
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  if (out) await rm(out, { recursive: true, force: true });
});

test('the page decodes a real X-ray JPEG, predicts on wasm and draws the Grad-CAM overlay', { skip }, async () => {
  const bytes = await readFile(join(here, 'fixtures', 'xray.jpg'));
  const result = await page.evaluate(async (data) => window.classifyFile(new Uint8Array(data)), [...bytes]);
  assert.equal(result.backend, 'wasm');
  assert.ok(requests.some((r) => r.endsWith('.wasm')), 'the wasm binary came from this server');

  // Decoding: Chromium's own JPEG decoder is the independent reference (jpeg-js and libjpeg-turbo differ by a level or two).
  const native = await page.evaluate(async (data) => {
    const bitmap = await createImageBitmap(new Blob([new Uint8Array(data)], { type: 'image/jpeg' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    return { width: bitmap.width, height: bitmap.height, rgba: [...context.getImageData(0, 0, bitmap.width, bitmap.height).data] };
  }, [...bytes]);
  assert.deepEqual([result.image.width, result.image.height], [native.width, native.height]);
  let worst = 0;
  for (let p = 0; p < native.width * native.height; p++) {
    for (let c = 0; c < result.image.channels; c++) {
      worst = Math.max(worst, Math.abs(result.image.data[p * result.image.channels + c] - native.rgba[p * 4 + c]));
    }
  }
  assert.ok(worst <= 4, `decoded pixels differ from Chromium's decoder by up to ${worst} levels`);

  // Prediction and Grad-CAM: the same seeded model on Node's cpu backend is the reference for the browser's wasm.
  await tf.setBackend('cpu');
  const model = createModel(MODEL.name, { inputSize: MODEL.inputSize, channels: MODEL.channels, seed: MODEL.seed });
  const { input } = prepare(new Uint8Array(bytes));
  const reference = await gradCam(model, input);
  input.dispose();
  model.dispose();
  result.probabilities.forEach((p, i) => assert.ok(Math.abs(p - reference.probabilities[i]) < 1e-4, `probability ${i}: ${p} vs ${reference.probabilities[i]}`));
  assert.equal(result.layer, reference.layer);
  assert.equal(result.layer, 'features.18.2');
  const heatmapError = Math.max(...result.heatmap.data.map((v, i) => Math.abs(v - reference.heatmap.data[i])));
  assert.ok(heatmapError < 1e-3, `Grad-CAM heatmap differs by ${heatmapError}`);
  assert.ok(Math.abs(result.brierIfFractured - (1 - reference.probabilities[0]) ** 2) < 1e-4);

  // The overlay on the canvas: the X-ray's size, and coloured by the heatmap (not a gray copy of the X-ray).
  const drawn = await page.evaluate(() => {
    const canvas = document.querySelector('canvas');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 20) coloured++;
    return { width: canvas.width, height: canvas.height, coloured, text: document.querySelector('#result').textContent };
  });
  assert.deepEqual([drawn.width, drawn.height], [native.width, native.height]);
  assert.ok(drawn.coloured > (drawn.width * drawn.height) / 4, `only ${drawn.coloured} coloured pixels`);
  assert.match(drawn.text, new RegExp(`^${result.predictedClass} \\(\\d+\\.\\d %\\)$`));
});

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Buffer } from 'node:buffer';
import { decodeImageAsync } from '@fracture/preprocess';
import { browserAssets } from './browser-assets';
import type { Predictor } from './predictor';
import { renderWebPage } from './web-page';

export interface ServeOptions {
  /** Default 127.0.0.1: the service is local unless the user asks otherwise. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Largest accepted upload in bytes. Default 32 MiB (a large DICOM fits; a flood does not). */
  maxUploadBytes?: number;
  /** Add a Grad-CAM overlay to each answer. Default true. */
  explain?: boolean;
  /**
   * Let the page run the model in the browser (default true): it loads the model and TensorFlow.js's wasm
   * binaries from this server and classifies dropped images itself, so they never leave the device; `POST
   * /predict` stays as the fallback. `false`: the page always posts to the server.
   */
  browserModel?: boolean;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * Serves `GET /` (the drop-an-X-ray page), `GET /health` and `POST /predict`
 * (raw image bytes in the body; JSON out). Nothing else is served.
 */
export async function startServer(predictor: Predictor, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const maxUpload = options.maxUploadBytes ?? 32 * 1024 * 1024;
  const inBrowser = options.browserModel !== false;
  const page = renderWebPage(`fracture-ai: ${predictor.info.modelName}`, { inBrowser });
  const log = options.log ?? (() => {});
  const assets = inBrowser ? browserAssets(predictor) : undefined;

  const server = http.createServer(async (req, res) => {
    const started = Date.now();
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'GET' && url.pathname === '/') {
        send(res, 200, 'text/html; charset=utf-8', page);
      } else if (req.method === 'GET' && assets?.has(url.pathname)) {
        const asset = await assets.get(url.pathname);
        send(res, 200, asset.type, asset.body);
      } else if (req.method === 'GET' && url.pathname === '/health') {
        sendJson(res, 200, { status: 'ok', model: predictor.info.modelName, classes: predictor.info.classNames });
      } else if (url.pathname === '/predict') {
        if (req.method !== 'POST') throw new HttpError(405, 'POST an image to /predict');
        const body = await readBody(req, maxUpload);
        if (body.length === 0) throw new HttpError(400, 'empty body: POST the image bytes (PNG, JPEG or DICOM)');
        const name = safeName(req.headers['x-file-name']);
        let image;
        try {
          image = await decodeImageAsync(body, { path: name });
        } catch (error) {
          throw new HttpError(415, (error as Error).message);
        }
        const [prediction] = predictor.predictImages([image]);
        const answer: Record<string, unknown> = { ...prediction, model: predictor.info.modelName };
        if (options.explain !== false) {
          const explanation = await predictor.explain(image, { classIndex: prediction.classIndex });
          answer.overlayPng = Buffer.from(explanation.overlayPng).toString('base64');
        }
        sendJson(res, 200, answer);
      } else {
        throw new HttpError(404, `not found: ${url.pathname}`);
      }
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      sendJson(res, status, { error: (error as Error).message });
    } finally {
      log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started} ms`);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new HttpError(413, `upload of ${declared} bytes exceeds the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, `upload exceeds the limit of ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function safeName(header: string | string[] | undefined): string {
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw) return 'upload';
  try {
    return decodeURIComponent(raw).replace(/[^\w .()-]/g, '_').slice(0, 200);
  } catch {
    return 'upload';
  }
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
    'x-content-type-options': 'nosniff',
    // 'self' scripts and wasm compilation for the in-browser model; data: images for the overlays.
    'content-security-policy':
      "default-src 'none'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'",
  });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

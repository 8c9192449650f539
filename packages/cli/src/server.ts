import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Buffer } from 'node:buffer';
import { decodeImageAsync } from '@fracture/preprocess';
import { isAllowedHost } from './host-check';
import { browserAssets } from './browser-assets';
import type { Predictor } from './predictor';
import { PoolJobError } from './server-workers';
import type { PredictionPool } from './server-workers';
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
   * Host names (besides IP literals and `localhost`) the server answers to. Requests naming any other host are
   * refused with 421, which stops DNS-rebinding pages from reaching a local server.
   */
  allowedHosts?: string[];
  /** Longest time to receive one request (headers and body); slower clients are disconnected. Default 60 s. */
  requestTimeoutMs?: number;
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

/** Answers one upload: in worker threads (a {@link PredictionPool}) or, for an in-memory model, on this thread. */
type Answerer = (bytes: Uint8Array, name: string, explain: boolean) => Promise<Record<string, unknown>>;

function inProcess(predictor: Predictor): Answerer {
  return async (bytes, name, explain) => {
    let image;
    try {
      image = await decodeImageAsync(bytes, { path: name });
    } catch (error) {
      throw new HttpError(415, (error as Error).message);
    }
    const [prediction] = predictor.predictImages([image]);
    const answer: Record<string, unknown> = { ...prediction, model: predictor.info.modelName };
    if (explain) {
      const explanation = await predictor.explain(image, { classIndex: prediction.classIndex });
      answer.overlayPng = Buffer.from(explanation.overlayPng).toString('base64');
    }
    return answer;
  };
}

function inPool(pool: PredictionPool): Answerer {
  return async (bytes, name, explain) => {
    try {
      return await pool.predict({ bytes, name, explain });
    } catch (error) {
      if (error instanceof PoolJobError) throw new HttpError(error.status, error.message);
      throw error;
    }
  };
}

function isPool(source: Predictor | PredictionPool): source is PredictionPool {
  return typeof (source as PredictionPool).predict === 'function';
}

/**
 * Serves `GET /` (the drop-an-X-ray page), `GET /health` and `POST /predict`
 * (raw image bytes in the body; JSON out). Nothing else is served.
 *
 * Given a {@link PredictionPool} (what `fracture serve` uses), decoding and inference run in worker threads with
 * a time limit, so this thread only moves bytes and health checks stay fast under load. Given a `Predictor`,
 * the work runs on this thread: fine for a single user, not for a shared service.
 */
export async function startServer(source: Predictor | PredictionPool, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const maxUpload = options.maxUploadBytes ?? 32 * 1024 * 1024;
  const info = source.info;
  const inBrowser = options.browserModel !== false;
  const page = renderWebPage(`fracture-ai: ${info.modelName}`, { inBrowser });
  const log = options.log ?? (() => {});
  const answer = isPool(source) ? inPool(source) : inProcess(source);
  const assets = inBrowser ? browserAssets(source) : undefined;

  const server = http.createServer(async (req, res) => {
    const started = Date.now();
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!isAllowedHost(req.headers.host, options.allowedHosts)) {
        throw new HttpError(421, `unknown host '${req.headers.host ?? ''}': this server answers to its IP address and localhost (allow other names with --allowed-host)`);
      }
      if (req.method === 'GET' && url.pathname === '/') {
        send(res, 200, 'text/html; charset=utf-8', page);
      } else if (req.method === 'GET' && assets?.has(url.pathname)) {
        const asset = await assets.get(url.pathname);
        send(res, 200, asset.type, asset.body);
      } else if (req.method === 'GET' && url.pathname === '/health') {
        sendJson(res, 200, { status: 'ok', model: info.modelName, classes: info.classNames });
      } else if (url.pathname === '/predict') {
        if (req.method !== 'POST') throw new HttpError(405, 'POST an image to /predict');
        const body = await readBody(req, maxUpload);
        if (body.length === 0) throw new HttpError(400, 'empty body: POST the image bytes (PNG, JPEG or DICOM)');
        const name = safeName(req.headers['x-file-name']);
        sendJson(res, 200, await answer(body, name, options.explain !== false));
      } else {
        throw new HttpError(404, `not found: ${url.pathname}`);
      }
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      if (!req.complete && !res.headersSent) {
        // Refused before its body was read (too large, wrong host or path): answer now, and close the connection
        // once the client has seen the answer instead of reading an upload of any size.
        res.setHeader('connection', 'close');
        res.once('finish', () => drainThenClose(req));
      }
      if (!res.headersSent && !res.destroyed) sendJson(res, status, { error: (error as Error).message });
    } finally {
      log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started} ms`);
    }
  });

  // Slow clients (a trickled upload, headers never finished) must not hold a connection forever.
  server.requestTimeout = options.requestTimeoutMs ?? 60_000;
  server.headersTimeout = Math.min(server.requestTimeout, 20_000);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

class UploadTooLarge extends HttpError {
  constructor(message: string) {
    super(413, message);
  }
}

/** How much of a refused upload is still read (and discarded) so the client receives the 413 rather than a reset. */
const DRAIN_BYTES = 8 * 1024 * 1024;
const DRAIN_MS = 2_000;

/**
 * Closing a socket with unread incoming data makes the kernel send a reset, which clients report instead of the
 * 413 already sent; so a refused upload is read on for a bounded amount and time, then the connection is closed.
 */
function drainThenClose(req: http.IncomingMessage): void {
  let drained = 0;
  const close = () => {
    clearTimeout(timer);
    req.socket.destroy();
  };
  const timer = setTimeout(close, DRAIN_MS);
  timer.unref();
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_BYTES) close();
  });
  req.once('end', close);
  req.once('error', close);
  req.resume();
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new UploadTooLarge(`upload of ${declared} bytes exceeds the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        chunks.length = 0;
        reject(new UploadTooLarge(`upload exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
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

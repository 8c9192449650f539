import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** Debian's interpreter has torch, torchvision, PIL; the one on PATH may not. */
export const PYTHON = '/usr/bin/python3';

export function hasPython(modules: string[]): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `fracture-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A gray gradient so that resizing has something to do. */
export function grayPixels(width: number, height: number, offset = 0): Uint8Array {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = (offset + x * 7 + y * 3) & 255;
  }
  return data;
}

export function pngBytes(width: number, height: number, offset = 0): Buffer {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8 });
  png.data = Buffer.from(grayPixels(width, height, offset));
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0 });
}

export function jpegBytes(width: number, height: number, offset = 0): Buffer {
  const gray = grayPixels(width, height, offset);
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < gray.length; i++) {
    rgba[i * 4] = gray[i];
    rgba[i * 4 + 1] = gray[i];
    rgba[i * 4 + 2] = gray[i];
    rgba[i * 4 + 3] = 255;
  }
  return jpeg.encode({ data: rgba, width, height }, 95).data;
}

export function writeFile(root: string, relative: string, bytes: Uint8Array | string): string {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return file;
}

import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CLASS_NAMES } from './class-names';
import { compareCodePoints } from './compare-code-points';
import type { DatasetItem, FractureBox, ImageMetadata, ScanResult, SkippedFile } from './dataset-types';
import { imageBytesProblem, mapLimited } from './image-file-check';
import { readImageDimensions } from './image-size';
import { parseCsv } from './split-manifest';

/** The release's class folders, in the order of `CLASS_NAMES` (`fractured`, `not fractured`). */
const CLASS_FOLDERS = ['Fractured', 'Non_fractured'] as const;
/** The release zip has `Annotations/`; some copies lower-case it. */
const ANNOTATION_FOLDERS = ['Annotations/YOLO', 'annotations/YOLO'];
const REGION_COLUMNS = ['hand', 'leg', 'hip', 'shoulder', 'mixed'];
const VIEW_COLUMNS = ['frontal', 'lateral', 'oblique'];
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
/**
 * Small enough to stratify: FracAtlas's fractured images cluster (ids 2300-2399 and 2500-2599 are nearly all
 * fractured, 198 of the 483 in our copy), so blocks of 100 cannot give every part its share of them.
 */
export const DEFAULT_ID_BLOCK_SIZE = 20;
const READ_CONCURRENCY = 16;

interface FracAtlasRow {
  regions: string[];
  hardware: boolean;
  multiscan: boolean;
  fractured: boolean;
  fractureCount: number;
  views: string[];
}

interface ReadFile {
  path: string;
  className: (typeof CLASS_NAMES)[number];
  problem?: string;
  md5?: string;
  width?: number;
  height?: number;
}

/** Whether `root` looks like the FracAtlas release: `images/Fractured` and `images/Non_fractured` folders. */
export async function isFracAtlasRoot(root: string): Promise<boolean> {
  for (const folder of CLASS_FOLDERS) {
    const info = await stat(path.join(root, 'images', folder)).catch(() => undefined);
    if (!info?.isDirectory()) return false;
  }
  return true;
}

/**
 * Reads the FracAtlas release as downloaded (or our derived copy). Labels come from the class folders, which the
 * dataset's authors treat as the truth; `dataset.csv` supplies region, implant, multiscan and view flags, and a
 * disagreement with the folder is reported in `warnings`. YOLO boxes become pixel boxes of the image file. Every
 * file is read whole: truncated or undecodable files (59 in the release) are listed in `unreadable` with the
 * reason, and byte-identical copies (14 in the release; in our re-encoded copy also images that differed only in metadata, 50 groups) are listed in `duplicates` and given their original's
 * `sourceId`, so that no split separates them. `sourceId` is the block of `idBlockSize` consecutive image ids.
 */
export async function scanFracAtlas(
  root: string,
  options: { verify?: 'header' | 'none'; idBlockSize?: number } = {},
): Promise<ScanResult> {
  const blockSize = options.idBlockSize ?? DEFAULT_ID_BLOCK_SIZE;
  if (!Number.isInteger(blockSize) || blockSize < 1) {
    throw new Error(`scanFracAtlas: idBlockSize must be a positive integer, got ${String(options.idBlockSize)}`);
  }
  const absoluteRoot = path.resolve(root);
  if (!(await isFracAtlasRoot(absoluteRoot))) {
    throw new Error(`scanFracAtlas: ${absoluteRoot}: expected images/Fractured and images/Non_fractured`);
  }
  const warnings: string[] = [];
  const skipped: SkippedFile[] = [];
  const unreadable: SkippedFile[] = [];

  const csvPath = path.join(absoluteRoot, 'dataset.csv');
  const rows = await readFile(csvPath, 'utf8').then(
    (text) => parseDatasetCsv(text, csvPath),
    () => undefined,
  );
  if (!rows) warnings.push(`${csvPath}: not found; items have no region, implant or view metadata`);
  const annotationDir = await findAnnotationFolder(absoluteRoot);
  if (!annotationDir) warnings.push(`${absoluteRoot}: no Annotations/YOLO folder; items have no fracture boxes`);

  const files: ReadFile[] = [];
  for (let c = 0; c < CLASS_FOLDERS.length; c++) {
    const folder = path.join(absoluteRoot, 'images', CLASS_FOLDERS[c]);
    const names = (await readdir(folder, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort(compareCodePoints);
    for (const name of names) {
      const file = path.join(folder, name);
      const extension = path.extname(name).toLowerCase();
      if (!IMAGE_EXTENSIONS.has(extension)) {
        skipped.push({ path: file, reason: extension ? `not an image (${extension})` : 'not an image (no extension)' });
        continue;
      }
      files.push({ path: file, className: CLASS_NAMES[c] });
    }
  }

  await mapLimited(files, READ_CONCURRENCY, async (file) => {
    try {
      // Each file is read once: the whole-file check, the dimensions and the content hash share the bytes.
      const bytes = new Uint8Array(await readFile(file.path));
      const problem = options.verify === 'none' ? undefined : imageBytesProblem(bytes, bytes);
      if (problem) {
        file.problem = problem;
        return;
      }
      const { width, height } = readImageDimensions(bytes, { path: file.path });
      file.md5 = createHash('md5').update(bytes).digest('hex');
      file.width = width;
      file.height = height;
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      file.problem = code ? `cannot read: ${message}` : message.replace(/^readImageDimensions: [^:]*: /, '');
    }
  });

  const firstByHash = new Map<string, DatasetItem>();
  const duplicateGroups = new Map<string, string[]>();
  const items: DatasetItem[] = [];
  for (const file of files) {
    if (file.problem !== undefined) {
      unreadable.push({ path: file.path, reason: file.problem });
      continue;
    }
    const fileName = path.basename(file.path);
    const imageId = fileName.slice(0, fileName.length - path.extname(fileName).length);
    const metadata: ImageMetadata = { imageId };
    const row = rows?.get(fileName);
    if (rows && !row) warnings.push(`${file.path}: not listed in dataset.csv; no metadata`);
    if (row) {
      Object.assign(metadata, { regions: row.regions, hardware: row.hardware, multiscan: row.multiscan, views: row.views, fractureCount: row.fractureCount });
      if (row.fractured !== (file.className === 'fractured')) {
        warnings.push(
          `${file.path}: dataset.csv says fractured = ${row.fractured ? 1 : 0} but the file is in ${path.basename(path.dirname(file.path))}/; the folder's label is used`,
        );
      }
    }
    const item: DatasetItem = {
      path: file.path,
      label: CLASS_NAMES.indexOf(file.className),
      className: file.className,
      sourceId: blockId(imageId, blockSize),
      metadata,
    };
    if (annotationDir) {
      const boxFile = path.join(annotationDir, `${imageId}.txt`);
      const text = await readFile(boxFile, 'utf8').catch(() => undefined);
      item.boxes = text === undefined ? [] : parseYoloBoxes(text, file.width as number, file.height as number, boxFile, warnings);
    }
    const original = firstByHash.get(file.md5 as string);
    if (original) {
      // A copy joins its original's group, so that a split keeps them together.
      item.sourceId = original.sourceId;
      metadata.duplicateOf = original.path;
      duplicateGroups.get(file.md5 as string)?.push(file.path);
    } else {
      firstByHash.set(file.md5 as string, item);
      duplicateGroups.set(file.md5 as string, [file.path]);
    }
    items.push(item);
  }
  const duplicates = [...duplicateGroups.values()].filter((group) => group.length > 1);
  const classOf = new Map(items.map((item) => [item.path, item.className]));
  for (const group of duplicates) {
    if (new Set(group.map((file) => classOf.get(file))).size > 1) {
      warnings.push(`byte-identical images with different labels: ${group.map((file) => `${file} (${classOf.get(file)})`).join(', ')}`);
    }
  }
  return {
    root: absoluteRoot,
    layout: 'fracatlas',
    items,
    classNames: [...CLASS_NAMES],
    skipped,
    unreadable: unreadable.sort((a, b) => compareCodePoints(a.path, b.path)),
    warnings,
    duplicates,
  };
}

/** The block of consecutive ids an image belongs to (`IMG0001234` → `ids 1200-1299`); other names are their own block. */
export function blockId(imageId: string, blockSize: number = DEFAULT_ID_BLOCK_SIZE): string {
  const match = /(\d+)$/.exec(imageId);
  if (!match) return imageId;
  const start = Math.floor(Number(match[1]) / blockSize) * blockSize;
  return `ids ${start}-${start + blockSize - 1}`;
}

/**
 * YOLO lines `class cx cy w h` (normalised to the image) as pixel boxes `{ x, y, width, height }` of a
 * `width` × `height` image. A malformed line is reported in `warnings` and left out.
 */
export function parseYoloBoxes(text: string, width: number, height: number, file = 'boxes', warnings: string[] = []): FractureBox[] {
  const boxes: FractureBox[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const fields = line.trim().split(/\s+/).map(Number);
    const [, cx, cy, w, h] = fields;
    if (fields.length !== 5 || !fields.every(Number.isFinite) || w < 0 || h < 0) {
      warnings.push(`${file}: line ${index + 1}: expected 'class cx cy w h', got '${line.trim()}'; left out`);
      return;
    }
    boxes.push({ x: (cx - w / 2) * width, y: (cy - h / 2) * height, width: w * width, height: h * height });
  });
  return boxes;
}

async function findAnnotationFolder(root: string): Promise<string | undefined> {
  for (const folder of ANNOTATION_FOLDERS) {
    const candidate = path.join(root, ...folder.split('/'));
    if ((await stat(candidate).catch(() => undefined))?.isDirectory()) return candidate;
  }
  return undefined;
}

function parseDatasetCsv(text: string, file: string): Map<string, FracAtlasRow> {
  const rows = parseCsv(text);
  const header = rows.shift() ?? [];
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`scanFracAtlas: ${file}: no '${name}' column (header: ${header.join(',')})`);
    return index;
  };
  const id = column('image_id');
  const regions = REGION_COLUMNS.map((name) => [name, column(name)] as const);
  const views = VIEW_COLUMNS.map((name) => [name, column(name)] as const);
  const hardware = column('hardware');
  const multiscan = column('multiscan');
  const fractured = column('fractured');
  const fractureCount = column('fracture_count');
  const result = new Map<string, FracAtlasRow>();
  for (const row of rows) {
    if (row.length < header.length) continue;
    result.set(row[id], {
      regions: regions.filter(([, i]) => row[i] === '1').map(([name]) => name),
      hardware: row[hardware] === '1',
      multiscan: row[multiscan] === '1',
      fractured: row[fractured] === '1',
      fractureCount: Number(row[fractureCount]) || 0,
      views: views.filter(([, i]) => row[i] === '1').map(([name]) => name),
    });
  }
  return result;
}

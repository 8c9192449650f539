import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type {
  DatasetItem,
  DatasetSplit,
  ReadSplitManifestOptions,
  SplitPart,
  WriteSplitManifestOptions,
} from './dataset-types';

export const SPLIT_MANIFEST_HEADER = ['path', 'label', 'className', 'split', 'sourceId'] as const;
const PARTS: readonly SplitPart[] = ['train', 'val', 'test'];
const MISSING_FILES_SHOWN = 10;

/**
 * Serialises a split as CSV (RFC 4180): `path,label,className,split,sourceId`, one row per image, train then
 * val then test, paths relative to `root` with forward slashes so a manifest moves with its dataset.
 */
export function formatSplitManifest(split: DatasetSplit, root: string): string {
  const lines = [SPLIT_MANIFEST_HEADER.join(',')];
  for (const part of PARTS) {
    for (const item of split[part] ?? []) {
      const relative = path.relative(root, item.path).split(path.sep).join('/');
      lines.push([relative, String(item.label), item.className, part, item.sourceId ?? ''].map(quoteCsvField).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Parses a manifest written by `formatSplitManifest` (or any RFC 4180 CSV with the same header). */
export function parseSplitManifest(text: string, root: string): DatasetSplit {
  const rows = parseCsv(text);
  const header = rows.shift();
  if (!header || header.join(',') !== SPLIT_MANIFEST_HEADER.join(',')) {
    throw new Error(
      `parseSplitManifest: expected the header ${SPLIT_MANIFEST_HEADER.join(',')}, got ${header ? header.join(',') : 'an empty file'}`,
    );
  }
  const split: DatasetSplit = { train: [], val: [], test: [] };
  rows.forEach((row, index) => {
    const line = index + 2;
    if (row.length !== SPLIT_MANIFEST_HEADER.length) {
      throw new Error(`parseSplitManifest: row ${line} has ${row.length} fields, expected ${SPLIT_MANIFEST_HEADER.length}`);
    }
    const [relative, labelText, className, part, sourceId] = row;
    const label = Number(labelText);
    if (labelText === '' || !Number.isInteger(label) || label < 0) {
      throw new Error(`parseSplitManifest: row ${line}: label must be a non-negative integer, got '${labelText}'`);
    }
    if (!PARTS.includes(part as SplitPart)) {
      throw new Error(`parseSplitManifest: row ${line}: split must be train, val or test, got '${part}'`);
    }
    const item: DatasetItem = { path: path.resolve(root, ...relative.split('/')), label, className, split: part };
    if (sourceId !== '') item.sourceId = sourceId;
    split[part as SplitPart].push(item);
  });
  return split;
}

/** Writes a split manifest atomically (temporary file, then rename), so that a crash never leaves half a file. */
export async function writeSplitManifest(
  file: string,
  split: DatasetSplit,
  options: WriteSplitManifestOptions = {},
): Promise<void> {
  const target = path.resolve(file);
  const root = path.resolve(options.root ?? path.dirname(target));
  await mkdir(path.dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, formatSplitManifest(split, root), 'utf8');
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    // Node's write errors (ENOSPC above all) do not say which file.
    const code = (error as NodeJS.ErrnoException).code;
    throw Object.assign(new Error(`writeSplitManifest: cannot write ${target}: ${(error as Error).message}`), { code });
  }
}

/**
 * Reads a split manifest back, exactly as written; by default checks that every file exists and names the
 * missing ones, so that a run never starts on a dataset that changed.
 */
export async function readSplitManifest(file: string, options: ReadSplitManifestOptions = {}): Promise<DatasetSplit> {
  const source = path.resolve(file);
  const text = await readFile(source, 'utf8').catch((error: Error) => {
    throw new Error(`readSplitManifest: ${source}: ${error.message}`);
  });
  let split: DatasetSplit;
  try {
    split = parseSplitManifest(text, path.resolve(options.root ?? path.dirname(source)));
  } catch (error) {
    throw new Error(`readSplitManifest: ${source}: ${(error as Error).message.replace(/^parseSplitManifest: /, '')}`);
  }
  if (options.checkFiles ?? true) {
    const all = [...split.train, ...split.val, ...split.test];
    const exists = await Promise.all(all.map((item) => access(item.path).then(() => true, () => false)));
    const missing = all.filter((_, i) => !exists[i]).map((item) => item.path);
    if (missing.length > 0) {
      const shown = missing.slice(0, MISSING_FILES_SHOWN).join(', ');
      const more = missing.length > MISSING_FILES_SHOWN ? ` and ${missing.length - MISSING_FILES_SHOWN} more` : '';
      throw new Error(`readSplitManifest: ${source}: ${missing.length} missing file(s): ${shown}${more}`);
    }
  }
  return split;
}

/** Quotes a field when it holds a separator, a quote, a line break or spaces (class names like 'not fractured'). */
function quoteCsvField(field: string): string {
  return /[",\r\n\s]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF ends a record. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = () => {
    row.push(field);
    rows.push(row);
    row = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      endRow();
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else field += c;
    i++;
  }
  if (quoted) throw new Error('parseCsv: unterminated quoted field');
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

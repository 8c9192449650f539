import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DatasetItem, DatasetLayout, ScanImageFolderOptions, ScanResult, SkippedFile } from './dataset-types';
import { compareCodePoints } from './compare-code-points';
import { isFracAtlasRoot, scanFracAtlas } from './fracatlas-layout';
import { checkImageFile, mapLimited } from './image-file-check';
import { sourceIdFromFileName } from './source-id';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.dcm', '.dicom']);
/** Split folder names of Kaggle-style layouts, mapped to the names `splitDataset` understands. */
const SPLIT_FOLDERS: Record<string, string> = {
  train: 'train',
  val: 'val',
  valid: 'val',
  validation: 'val',
  test: 'test',
};
const HEADER_CONCURRENCY = 16;

interface Candidate {
  path: string;
  className: string;
  split?: string;
}

/**
 * Lists a labelled image dataset: `root/<class>/<file>` (torchvision `ImageFolder`), the Kaggle layout
 * `root/{train,val,test}/<class>/<file>`, or the FracAtlas release (see `scanFracAtlas`: labels from its folders,
 * metadata and boxes attached, duplicates grouped). Class names are folder names in code-point order, so labels match
 * PyTorch's. Files that are not images are listed in `skipped`; images whose header or end marker cannot be
 * read are listed in `unreadable`; neither ever throws.
 */
export async function scanImageFolder(root: string, options: ScanImageFolderOptions = {}): Promise<ScanResult> {
  const verify = options.verify ?? 'header';
  if (verify !== 'header' && verify !== 'none') {
    throw new Error(`scanImageFolder: verify must be 'header' or 'none', got ${String(verify)}`);
  }
  const absoluteRoot = path.resolve(root);
  const rootStat = await stat(absoluteRoot).catch(() => undefined);
  if (!rootStat?.isDirectory()) {
    throw new Error(`scanImageFolder: ${absoluteRoot}: no such directory`);
  }

  if (await isFracAtlasRoot(absoluteRoot)) return scanFracAtlas(absoluteRoot, { verify, idBlockSize: options.idBlockSize });

  const skipped: SkippedFile[] = [];
  const unreadable: SkippedFile[] = [];
  const rootEntries = await listDirectory(absoluteRoot);
  const rootDirectories = rootEntries.filter((e) => e.isDirectory).map((e) => e.name);
  for (const file of rootEntries.filter((e) => !e.isDirectory)) {
    skipped.push({ path: path.join(absoluteRoot, file.name), reason: 'outside a class folder' });
  }

  const layout: DatasetLayout =
    rootDirectories.length > 0 && rootDirectories.every((name) => name in SPLIT_FOLDERS) ? 'kaggle' : 'image-folder';

  const candidates: Candidate[] = [];
  const classSet = new Set<string>();
  const collectClass = async (classDirectory: string, className: string, split?: string) => {
    classSet.add(className);
    // torchvision walks `sorted(os.walk(dir))`: files ordered by (directory path, file name).
    const files = (await listFilesRecursively(classDirectory)).sort(
      (a, b) => compareCodePoints(path.dirname(a), path.dirname(b)) || compareCodePoints(path.basename(a), path.basename(b)),
    );
    for (const file of files) {
      const extension = path.extname(file).toLowerCase();
      if (!IMAGE_EXTENSIONS.has(extension)) {
        skipped.push({ path: file, reason: extension ? `not an image (${extension})` : 'not an image (no extension)' });
        continue;
      }
      candidates.push({ path: file, className, split });
    }
  };

  if (layout === 'kaggle') {
    for (const splitFolder of rootDirectories) {
      const splitDirectory = path.join(absoluteRoot, splitFolder);
      for (const entry of await listDirectory(splitDirectory)) {
        const entryPath = path.join(splitDirectory, entry.name);
        if (entry.isDirectory) await collectClass(entryPath, entry.name, SPLIT_FOLDERS[splitFolder]);
        else skipped.push({ path: entryPath, reason: 'outside a class folder' });
      }
    }
  } else {
    for (const className of rootDirectories) await collectClass(path.join(absoluteRoot, className), className);
  }

  const classNames = [...classSet].sort(compareCodePoints);
  if (classNames.length === 0) {
    throw new Error(`scanImageFolder: ${absoluteRoot}: no class folders found`);
  }

  const problems = verify === 'header' ? await mapLimited(candidates, HEADER_CONCURRENCY, checkImageFile) : [];
  const items: DatasetItem[] = [];
  const problemByPath = new Map<string, string>();
  problems.forEach((problem) => problem && problemByPath.set(problem.path, problem.reason));
  for (const candidate of candidates) {
    const problem = problemByPath.get(candidate.path);
    if (problem) {
      unreadable.push({ path: candidate.path, reason: problem });
      continue;
    }
    const item: DatasetItem = {
      path: candidate.path,
      label: classNames.indexOf(candidate.className),
      className: candidate.className,
      sourceId: sourceIdFromFileName(candidate.path),
    };
    if (candidate.split !== undefined) item.split = candidate.split;
    items.push(item);
  }
  skipped.sort((a, b) => compareCodePoints(a.path, b.path));
  unreadable.sort((a, b) => compareCodePoints(a.path, b.path));
  return { root: absoluteRoot, layout, items, classNames, skipped, unreadable };
}


interface Entry {
  name: string;
  isDirectory: boolean;
}

async function listDirectory(directory: string): Promise<Entry[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const result: Entry[] = [];
  for (const entry of entries) {
    let isDirectory = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      const target = await stat(path.join(directory, entry.name)).catch(() => undefined);
      isDirectory = target?.isDirectory() ?? false;
    }
    result.push({ name: entry.name, isDirectory });
  }
  return result.sort((a, b) => compareCodePoints(a.name, b.name));
}

async function listFilesRecursively(directory: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await listDirectory(directory)) {
    const entryPath = path.join(directory, entry.name);
    if (entry.isDirectory) files.push(...(await listFilesRecursively(entryPath)));
    else files.push(entryPath);
  }
  return files;
}


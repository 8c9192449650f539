/**
 * The source radiograph an image file was derived from. The Kaggle fracture dataset names augmented copies
 * `N-rotated1-rotated2.jpg` after their original `N.jpg`, so the leading integer identifies the source
 * (within a class). Other names are their own source: the base name without extension.
 */
export function sourceIdFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const leading = /^(\d+)(?=[-_.\s]|$)/.exec(base);
  if (leading) {
    // '007' and '7' name the same radiograph.
    return String(Number.parseInt(leading[1], 10));
  }
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The grouping key of a leak-free split: the same source number in two classes is two radiographs. */
export function sourceGroupKey(className: string, sourceId: string): string {
  return JSON.stringify([className, sourceId]);
}

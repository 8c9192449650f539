import * as path from 'node:path';

/**
 * `to` relative to the folder `from`, with `/` on every platform: how written reports and model folders name
 * files, so that they can be committed and moved without naming the folders of the machine that wrote them.
 */
export function portableRelativePath(from: string, to: string): string {
  return path.relative(path.resolve(from), path.resolve(to)).split(path.sep).join('/');
}

export interface ReadmeBlock {
  /** The fence's language, lower case ('' when none). */
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The `<!-- readme: ... -->` marker on the line before the block, if any. */
  marker: string | null;
  /** The reason of a `<!-- readme: skip: reason -->` marker. */
  reason: string | null;
}

export interface BlockResult {
  mode: 'transcript' | 'install' | 'skip' | 'shell' | 'esm' | 'cjs';
  stdout: string;
  stderr: string;
}

export declare function extractBlocks(markdown: string): ReadmeBlock[];
export declare function modeOf(block: ReadmeBlock): BlockResult['mode'];
export declare function runBlock(
  block: ReadmeBlock,
  options: { cwd: string; name: string; env?: Record<string, string>; timeoutMs?: number },
): BlockResult;
export declare function trackedReadmes(): string[];
export declare const REPO_ROOT: string;

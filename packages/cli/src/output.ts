/** Where a command writes: human lines to stderr, results to stdout as text or one JSON document. */
export interface CommandOutput {
  readonly json: boolean;
  /** Progress and notes for a human; never mixed into stdout, so `--json` output stays parseable. */
  info(line: string): void;
  /** The command's result: `value` as JSON with `--json`, else `text`. */
  result(value: unknown, text: string): void;
}

export interface OutputStreams {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
}

export function createOutput(json: boolean, streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr }): CommandOutput {
  return {
    json,
    info(line) {
      streams.stderr.write(`${line}\n`);
    },
    result(value, text) {
      streams.stdout.write(json ? `${JSON.stringify(value, jsonReplacer, 2)}\n` : `${text.replace(/\n?$/, '\n')}`);
    },
  };
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (value instanceof Uint8Array) return undefined;
  return value;
}

/** `0.98765` → `98.8 %`. */
export function percent(value: number, digits = 1): string {
  return Number.isFinite(value) ? `${(100 * value).toFixed(digits)} %` : '–';
}

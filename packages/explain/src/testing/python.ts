import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's interpreter, which carries torch / torchvision / OpenCV on the CI image (the PATH python does not). */
export const REFERENCE_PYTHON = process.env['FRACTURE_PYTHON'] ?? '/usr/bin/python3';

/** Why the Python references cannot run here, or null when they can. */
export function pythonUnavailable(modules: string[]): string | null {
  if (!existsSync(REFERENCE_PYTHON)) return `${REFERENCE_PYTHON} not found`;
  const probe = spawnSync(REFERENCE_PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' });
  if (probe.status !== 0) return `${REFERENCE_PYTHON} cannot import ${modules.join(', ')}: ${probe.stderr.trim().split('\n').pop()}`;
  return null;
}

/** Runs a Python snippet with JSON on stdin and returns its stdout parsed as JSON. */
export function runPythonJson<T>(code: string, input: unknown): T {
  const result = spawnSync(REFERENCE_PYTHON, ['-c', code], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

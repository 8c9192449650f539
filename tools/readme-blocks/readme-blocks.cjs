// Runs the code blocks of a README as a reader would paste them, so an example cannot rot.
//
// Every fenced block is run, unless an HTML comment on the line before it says otherwise:
//   <!-- readme: transcript -->        output or a listing shown for reading: nothing to run
//   <!-- readme: shell -->             `sh` commands, run with /bin/sh -e in the README's temp folder
//   <!-- readme: install -->           a package's `npm install` line: run as written by the registry test
//                                      (examples/install-from-registry), in a fresh app against a local registry
//   <!-- readme: skip: <reason> -->    not run, for the stated reason (the dataset, hours, a server that never
//                                      exits); the tests list these with their reasons
// `ts` / `js` blocks run as ES modules (TypeScript types stripped by esbuild); `cjs` blocks as CommonJS. A block
// without a marker whose language is neither (sh, text, ...) is an error, so nothing is left out by accident.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const REPO_ROOT = path.join(__dirname, '..', '..');
const RUNNABLE = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'cjs']);

/** The fenced blocks of `markdown`: `{ lang, code, line, marker }` (line is 1-based, of the opening fence). */
function extractBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+|~~~+)\s*([\w+-]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    let end = i + 1;
    while (end < lines.length && !lines[end].trimStart().startsWith(fence)) end++;
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const found = before >= 0 ? /^<!--\s*readme:\s*([\w-]+)(?::\s*(.*?))?\s*-->$/.exec(lines[before].trim()) : null;
    const marker = found?.[1] ?? null;
    const reason = found?.[2] ?? null;
    const code = lines
      .slice(i + 1, end)
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
      .join('\n');
    blocks.push({ lang: lang.toLowerCase(), code, line: i + 1, marker, reason });
    i = end;
  }
  return blocks;
}

/** What the tests do with a block: 'transcript', 'install', 'skip', 'shell', or run it as 'esm' / 'cjs'. */
function modeOf(block) {
  if (block.marker === 'transcript' || block.marker === 'install' || block.marker === 'shell') return block.marker;
  if (block.marker === 'skip') {
    if (!block.reason) throw new Error(`<!-- readme: skip --> before the block at line ${block.line} needs a reason: <!-- readme: skip: why -->`);
    return 'skip';
  }
  if (block.marker !== null) throw new Error(`unknown readme marker '${block.marker}' before the block at line ${block.line}`);
  if (!RUNNABLE.has(block.lang)) {
    throw new Error(
      `the \`${block.lang || 'plain'}\` block at line ${block.line} is neither runnable nor marked: add <!-- readme: transcript -->, shell, install or skip: <reason> before it`,
    );
  }
  return block.lang === 'cjs' ? 'cjs' : 'esm';
}

function stripTypes(code, format) {
  // esbuild ships with tsup; only its type stripping is used, imports stay as written.
  const esbuild = require('esbuild');
  return esbuild.transformSync(code, { loader: 'ts', format, target: 'node20' }).code;
}

// npm passes its own settings to scripts (npm_config_*): an `npx` inside a block would then act on the workspace.
function withoutNpmConfig(env) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
}

/**
 * Runs one block with Node in `cwd`. The program file is written under the repository's node_modules so that its
 * imports resolve exactly as in an app that installed the packages (to their built `dist`), while the files the
 * example writes land in `cwd`.
 */
function runBlock(block, { cwd, name, env = {}, timeoutMs = 120_000 }) {
  const mode = modeOf(block);
  if (mode === 'skip' || mode === 'transcript' || mode === 'install') return { mode, stdout: '', stderr: '' };
  if (mode === 'shell') {
    // The folder stands for the reader's clone or app: `npx fracture` finds the workspace's linked bin there.
    if (!fs.existsSync(path.join(cwd, 'node_modules'))) fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(cwd, 'node_modules'), 'dir');
    if (!fs.existsSync(path.join(cwd, 'package.json'))) fs.writeFileSync(path.join(cwd, 'package.json'), '{ "private": true }\n');
    const result = spawnSync('/bin/sh', ['-e', '-c', block.code], {
      cwd,
      encoding: 'utf8',
      timeout: timeoutMs,
      env: { ...withoutNpmConfig(process.env), ...env },
    });
    if (result.status !== 0) throw new Error(`${name}: shell block at line ${block.line} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
    return { mode, stdout: result.stdout, stderr: result.stderr };
  }
  const format = mode === 'cjs' ? 'cjs' : 'esm';
  const code = stripTypes(block.code, format);
  const dir = path.join(REPO_ROOT, 'node_modules', '.cache', 'fracture-readme');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^\w.-]+/g, '-')}-${block.line}.${format === 'cjs' ? 'cjs' : 'mjs'}`);
  fs.writeFileSync(file, code);
  try {
    const result = spawnSync(process.execPath, [file], { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ...env } });
    if (result.status !== 0) {
      throw new Error(`${name}: block at line ${block.line} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
    }
    return { mode, stdout: result.stdout, stderr: result.stderr };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** The repository-relative paths of every README the tests must cover (git-tracked, outside node_modules). */
function trackedReadmes() {
  return execFileSync('git', ['ls-files', '*README.md', 'README.md'], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

module.exports = { extractBlocks, modeOf, runBlock, trackedReadmes, REPO_ROOT };

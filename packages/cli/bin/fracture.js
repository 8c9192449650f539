#!/usr/bin/env node
// A committed file, not dist/bin.js itself: npm links a workspace's bins at install time, before anything is
// built, and skips targets that do not exist yet, so `npx fracture` would fail on a fresh clone after the build.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('fracture: @fracture/cli is not built yet; run `npm run build` (or `npm run demo`) at the repository root first\n');
  process.exit(1);
}
await import(built.href);

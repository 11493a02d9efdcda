#!/usr/bin/env node
// The `ktrdr` command: runs the built CLI (npm run build), or the TypeScript sources through tsx
// in a development checkout that has not been built (or when KTRDR_DEV=1).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, '..', 'out', 'main', 'cli.js');
if (existsSync(built) && process.env.KTRDR_DEV !== '1') {
  require(built).main(process.argv);
} else {
  try {
    require('tsx/cjs');
  } catch {
    console.error('ktrdr: not built and tsx is not installed. Run "npm install && npm run build".');
    process.exit(1);
  }
  require(join(__dirname, '..', 'src', 'cli', 'index.ts')).main(process.argv);
}

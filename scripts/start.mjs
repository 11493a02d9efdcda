#!/usr/bin/env node
// `npm start`: build if needed, then open the desktop app where Electron can run; otherwise say
// why in one line and run the headless server (the same main process, UI served as a web page).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

function newestMtime(dir) {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return t;
}

const outCli = join(root, 'out', 'main', 'cli.js');
if (!existsSync(outCli) || newestMtime(join(root, 'src')) > statSync(outCli).mtimeMs) {
  const r = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function electronBinary() {
  try {
    const p = require('electron'); // the path of the downloaded binary, or throws if it is missing
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

const electron = electronBinary();
const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
if (electron && hasDisplay && process.env.KTRDR_HEADLESS !== '1') {
  const child = spawn(electron, [root], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const why = !electron ? 'the Electron binary is not installed' : !hasDisplay ? 'there is no display' : 'KTRDR_HEADLESS=1';
  console.log(`Desktop app unavailable (${why}); starting the headless server instead.`);
  const child = spawn(process.execPath, [join(root, 'bin', 'ktrdr.js'), 'serve'], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}

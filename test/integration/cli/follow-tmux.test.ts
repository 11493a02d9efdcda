// `ktrdr train … --follow` inside tmux: the progress line is redrawn in place (no stale bar left above
// the epoch lines) and Ctrl+C clears it before the prompt returns. Skips, saying why, without tmux.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startServer, type TestServer } from '../../helpers/server';

const TMUX = ['/usr/bin/tmux', '/usr/local/bin/tmux'].find((p) => existsSync(p)) ?? null;
if (!TMUX) console.warn('[follow-tmux] skipping: tmux is not installed (apt-get install tmux)');

const tmux = (...args: string[]) => execFileSync(TMUX!, ['-L', 'ktrdr-follow-test', ...args], { encoding: 'utf8' });
// The whole pane with its scrollback: a finished training's summary is longer than the 40 rows shown,
// and a stale progress line that scrolled away is still a stale line.
const pane = (session: string) => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', session);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(session: string, re: RegExp, ms: number): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const text = pane(session);
    if (re.test(text)) return text;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${re} in the tmux pane:\n${text}`);
    await sleep(200);
  }
}

/** A progress line ("… 42.0% | step", any bar style) left on screen is stale. */
const BAR = /\d+(?:\.\d)?% \|/;

describe.skipIf(!TMUX)('ktrdr --follow in tmux', () => {
  let server: TestServer;
  let n = 0;
  const start = (args: string) => {
    const session = `follow${process.pid}_${n++}`;
    const cmd = `${process.execPath} --import tsx ${join(REPO, 'src', 'cli', 'index.ts')} --url ${server.url} ${args}; echo "EXIT=$?"; sleep 60`;
    // Tall enough that a finished training's epoch lines and its whole summary stay on screen.
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '150', '-c', REPO, cmd);
    return session;
  };

  beforeAll(async () => {
    // The tfjs loop is slower: the run is still going when Ctrl+C is sent.
    server = await startServer({ env: { KTRDR_TRAINER: 'tfjs', LOG_LEVEL: 'warn' } });
  });
  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {
      // no sessions left
    }
    await server?.stop();
  });

  it('a finished run leaves epoch lines and the summary, no stale progress line', async () => {
    const s = start('train minimal --start 2018-01-01 --end 2018-03-01 --follow');
    const text = await until(s, /EXIT=\d+/, 120_000);
    expect(text).toMatch(/EXIT=0/);
    expect(text).toMatch(/Epoch 1\/\d+/);
    expect(text).toMatch(/Model saved:/);
    expect(text).toMatch(/epochs trained\s+\d+ of \d+/);
    expect(text.split('\n').filter((l) => BAR.test(l))).toEqual([]);
  });

  it('every command follows the same way: `data load --follow` on a terminal ends clean with its summary (issue 27)', async () => {
    const s = start('data load TMUXSYN 1h --source synthetic --start 2021-01-01 --end 2021-03-31 --follow');
    const text = await until(s, /EXIT=\d+/, 120_000);
    expect(text).toMatch(/EXIT=0/);
    expect(text).toMatch(/Started full download for TMUXSYN 1h from synthetic \(op_data_load_\S+\)|Started \w+ download for TMUXSYN 1h/);
    expect(text).toMatch(/^Loaded \d+ bars/m);
    expect(text.split('\n').filter((l) => BAR.test(l))).toEqual([]);
  });

  it('`operations list` names each run by strategy, data and range', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli', 'index.ts'), '--url', server.url, 'operations', 'list', '--type', 'training'], { cwd: REPO, encoding: 'utf8' });
    expect(out).toMatch(/RUN/);
    expect(out).toContain('minimal · EURUSD 1h · 2018-01-01→2018-03-01');
  });

  it('Ctrl+C clears the progress line, cancels, and the terminal is clean when it exits', async () => {
    const s = start('train minimal --start 2012-01-01 --end 2019-01-01 --follow');
    await until(s, BAR, 120_000);
    tmux('send-keys', '-t', s, 'C-c');
    const text = await until(s, /EXIT=\d+/, 60_000);
    expect(text).toMatch(/Cancelling op_training_/);
    expect(text).toMatch(/Training cancelled/);
    expect(text).toMatch(/EXIT=130/);
    expect(text.split('\n').filter((l) => BAR.test(l))).toEqual([]);
  });
});

import { Command } from 'commander';
import { vi } from 'vitest';
import type { CliContext } from '../../src/cli/index';
import type { KtrdrHttpClient } from '../../src/cli/http';

/** Runs `ktrdr …args` with the commands `register` adds, against a fake client; returns what it printed on stdout. */
export async function runCommands(register: (program: Command, ctx: CliContext) => void, client: Partial<KtrdrHttpClient>, args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program, { client: () => client as KtrdrHttpClient } as CliContext);
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  try {
    await program.parseAsync(['node', 'ktrdr', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

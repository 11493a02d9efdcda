import type { ParseResult } from '../../../core/strategy/types';
import { InvalidStrategyNameError } from '../../../infra/strategies';
import type { AppContext } from '../../context';
import { HttpError } from '../errors';

/** The strategy file a request names (parsed on a parse thread), or the 400/404 answer that says what is wrong. */
export async function locateStrategy(ctx: AppContext, name: string): Promise<{ path: string; text: string; name: string; parsed: ParseResult }> {
  let found;
  try {
    found = await ctx.strategies.loadAsync(name);
  } catch (err) {
    if (err instanceof InvalidStrategyNameError) throw new HttpError(400, err.message);
    throw err;
  }
  if (!found) {
    const searched = ctx.strategies.dirs().map((d) => d.dir);
    throw new HttpError(404, `Strategy file not found: ${name}.yaml (searched: ${searched.join(', ')})`);
  }
  return { path: found.path, text: found.yaml, name: found.name, parsed: found.result };
}

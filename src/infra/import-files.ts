// Who may name a file on this machine for the API to read (issue #17.3), and how much of it.
// A path is accepted only inside KTRDR_HOME/imports or a folder the user listed in
// KTRDR_IMPORT_DIRS; the desktop dialog and the CLI send file contents instead. Errors name the
// path the caller gave, never what the file holds.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve, sep } from 'node:path';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

/** Default bound on an import: request body, file on disk and its decompressed text (bytes). */
export const DEFAULT_IMPORT_LIMIT = 64 * 1024 * 1024;

export class ImportFileError extends Error {
  constructor(
    readonly statusCode: 400 | 403 | 404 | 413,
    message: string,
  ) {
    super(message);
  }
}

/** The folders server-side paths may point into: `<home>/imports` first, then KTRDR_IMPORT_DIRS. */
export function importRoots(home: string, extraDirs: string | undefined): string[] {
  const extra = (extraDirs ?? '').split(delimiter).map((d) => d.trim()).filter(Boolean);
  return [join(home, 'imports'), ...extra].map((d) => resolve(d));
}

function realOrNull(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/**
 * The real path of `given` when it lies inside one of `roots` (symlinks resolved, so a link in an
 * import folder cannot point out of it). Relative paths are taken relative to the first root.
 */
export function resolveImportPath(given: string, roots: string[], opts: { directory?: boolean } = {}): string {
  if (given.includes('\0')) throw new ImportFileError(403, 'Invalid path');
  const abs = isAbsolute(given) ? resolve(given) : resolve(roots[0], given);
  const realRoots = roots.map(realOrNull).filter((r): r is string => r !== null);
  const real = realOrNull(abs);
  const inside = (p: string) => realRoots.some((r) => p === r || p.startsWith(r + sep));
  // Refuse before saying whether the file exists: outside the roots nothing is probed.
  if (!inside(real ?? abs)) {
    throw new ImportFileError(403, `Path not allowed: files can be imported only from ${roots.join(' or ')} (set KTRDR_IMPORT_DIRS to add folders), or send the file's contents in \`csv\``);
  }
  if (real === null || !existsSync(real)) throw new ImportFileError(404, `File not found: ${given}`);
  const st = statSync(real);
  if (opts.directory ? !st.isDirectory() : !st.isFile()) throw new ImportFileError(404, `${opts.directory ? 'Folder' : 'File'} not found: ${given}`);
  return real;
}

/** Reads a (possibly .gz) CSV file, refusing with 413 beyond `limit` bytes on disk or inflated. */
export function readImportFile(path: string, limit: number): string {
  const size = statSync(path).size;
  if (size > limit) throw new ImportFileError(413, `File too large: ${size} bytes; the import limit is ${limit} bytes (KTRDR_IMPORT_LIMIT)`);
  const raw = readFileSync(path);
  if (!path.toLowerCase().endsWith('.gz')) return raw.toString('utf8');
  try {
    return gunzipSync(raw, { maxOutputLength: limit }).toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new ImportFileError(413, `File inflates beyond the import limit of ${limit} bytes (KTRDR_IMPORT_LIMIT)`);
    }
    throw new ImportFileError(400, 'File is not valid gzip');
  }
}

/** readImportFile for the server: reading and inflating run off the event loop (libuv's pool). */
export async function readImportFileAsync(path: string, limit: number): Promise<string> {
  const size = statSync(path).size;
  if (size > limit) throw new ImportFileError(413, `File too large: ${size} bytes; the import limit is ${limit} bytes (KTRDR_IMPORT_LIMIT)`);
  const raw = await readFile(path);
  if (!path.toLowerCase().endsWith('.gz')) return raw.toString('utf8');
  try {
    return (await gunzipAsync(raw, { maxOutputLength: limit })).toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new ImportFileError(413, `File inflates beyond the import limit of ${limit} bytes (KTRDR_IMPORT_LIMIT)`);
    }
    throw new ImportFileError(400, 'File is not valid gzip');
  }
}

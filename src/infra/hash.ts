import { createHash } from 'node:crypto';

/** sha256 of a text (UTF-8) or bytes, as lower-case hex: strategy hashes, checkpoint files. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

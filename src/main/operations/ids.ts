import { randomBytes } from 'node:crypto';
import type { OperationType } from '../../shared/operations';

/** `op_{type}_{YYYYmmdd_HHMMSS}_{8 hex}` in UTC, as KTRDR. */
export function newOperationId(type: OperationType, at: Date = new Date()): string {
  const iso = at.toISOString(); // 2025-01-23T10:00:00.123Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  return `op_${type}_${stamp}_${randomBytes(4).toString('hex')}`;
}

export const OPERATION_ID_PATTERN = /^op_[a-z_]+_\d{8}_\d{6}_[0-9a-f]{8}$/;

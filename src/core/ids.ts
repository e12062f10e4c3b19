import { randomBytes } from 'node:crypto';

/** A sortable, unguessable id with a readable prefix: `msg_lq2w3e4r5t6y7u8i9o0p1a2s`. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomBytes(10).toString('hex')}`;
}

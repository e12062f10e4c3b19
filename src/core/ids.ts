import { randomFillSync } from 'node:crypto';

// Random bytes are drawn from a pool refilled in large blocks: one system call per 400 ids, not per id.
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

/** A sortable, unguessable id with a readable prefix: `msg_0mwr3x3cz804a3df46439946875db`. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomHex(10)}`;
}

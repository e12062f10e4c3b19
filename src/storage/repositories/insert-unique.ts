// An insert whose unique-key violation is the caller's DuplicateError.
import { DuplicateError } from '../../core/errors.js';
import { isUniqueViolation } from '../database.js';

export async function insertUnique(what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateError(what);
    throw err;
  }
}

/** Calls where "not there" is an answer, not an error: reads that may find nothing, deletes of what may be gone. */
import { statusIs } from "../errors.js";

/** Runs a read; a 404 becomes null. */
export async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (statusIs(err, 404)) return null;
    throw err;
  }
}

/** Runs a delete; a 404 (already gone) is success. */
export async function deleteIgnoringMissing(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!statusIs(err, 404)) throw err;
  }
}

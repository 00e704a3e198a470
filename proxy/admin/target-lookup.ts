import { isStoreError } from '../store/store-error.js';
import type { AdminTarget } from './admin-endpoint.js';

/** Whether a store read found the id in the caller's tenant (a not_found is an answer, not an error). */
export async function exists(read: Promise<unknown>): Promise<AdminTarget> {
  try {
    await read;
    return { exists: true };
  } catch (err) {
    if (isStoreError(err) && err.code === 'not_found') return { exists: false };
    throw err;
  }
}

/** Reads one entity, or undefined when the caller's tenant has no such id. */
export async function findOrUndefined<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (isStoreError(err) && err.code === 'not_found') return undefined;
    throw err;
  }
}

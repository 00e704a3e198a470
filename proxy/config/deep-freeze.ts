/**
 * Freezes a plain data tree (objects and arrays) all the way down, so a validated config cannot
 * be changed by any part of the gateway after start; writes then throw in strict-mode code.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Whether a caught value is an Error. `instanceof` alone misses errors from another realm (a vm
 * context, a worker's structured clone), so anything with a string `name` and `message` counts.
 */
export function isError(value: unknown): value is Error {
  if (value instanceof Error) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    'message' in value &&
    typeof value.message === 'string' &&
    'name' in value &&
    typeof value.name === 'string'
  );
}

/** The message of whatever was thrown: an Error's message, otherwise the value as text. */
export function errorMessage(error: unknown): string {
  return isError(error) ? error.message : String(error);
}

/**
 * The worker's own counters from its /metrics: transform messages it handled to the end (every
 * attempt, success or failure) and raw records it loaded. Tests wait for `handled` to grow as the
 * positive signal that a delivery had its chance, then assert `loaded`.
 */
export async function workerCounts(workerUrl: string): Promise<{ handled: number; loaded: number }> {
  const text = await (await fetch(new URL('/metrics', workerUrl))).text();
  const read = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    handled: read('tributary_transform_messages_total'),
    loaded: read('tributary_records_loaded_total'),
  };
}

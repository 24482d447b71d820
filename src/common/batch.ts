import DataLoader from 'dataloader';

/**
 * Gathers the calls made within `windowMs` of the first one (at most `maxSize`) into one call of `batch`, which answers
 * each key in order with its value or with the Error of that key alone. Not a cache: every call reaches `batch`.
 * Used where many concurrent jobs each change one row and one statement can change them all, and where many rows of an
 * import batch each read one row and one query can read them all.
 */
export function batcher<K, V>(batch: (keys: readonly K[]) => Promise<(V | Error)[]>, windowMs: number, maxSize: number): DataLoader<K, V> {
  return new DataLoader<K, V>(batch, { cache: false, maxBatchSize: maxSize, batchScheduleFn: (run) => setTimeout(run, windowMs) });
}

/**
 * Runs `all` over every key at once; if that fails, `one` over each key apart, so that a key that cannot be done fails
 * alone (its job retries or becomes a dead letter) and the others go through.
 */
export async function allOrEach<K, V>(keys: readonly K[], all: (keys: readonly K[]) => Promise<V[]>, one: (key: K) => Promise<V>): Promise<(V | Error)[]> {
  try {
    return await all(keys);
  } catch (error) {
    if (keys.length === 1) return [error instanceof Error ? error : new Error(String(error))];
    return Promise.all(keys.map((key) => one(key).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))));
  }
}

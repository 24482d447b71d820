// What the phone keeps of its declarations (field-collection.md): IndexedDB, one record per declaration under its own
// Idempotency-Key, from 保存 until it is sent (then kept, for its state, until 退出). Never in the service worker's cache.

export interface Kept {
  /** The Idempotency-Key the declaration is sent with, made when it is saved: a resend is the same declaration. */
  key: string;
  collectorId: string;
  /** The POST /api/declarations body. */
  body: Record<string, unknown> & { person: { name: string; idNumber: string }; collectedAt: string };
  state: 'unsent' | 'sent' | 'refused';
  /** The server's id once sent; the refusal's message when refused. */
  id?: string;
  refusal?: string;
  savedAt: string;
}

const DB = 'liudong-collect';
const STORE = 'declarations';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB'));
  });
}

async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await open();
  try {
    return await new Promise<T | undefined>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req ? req.result : undefined);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB'));
    });
  } finally {
    db.close();
  }
}

export async function keptOf(collectorId: string): Promise<Kept[]> {
  const all = (await run<Kept[]>('readonly', (s) => s.getAll() as IDBRequest<Kept[]>)) ?? [];
  return all.filter((k) => k.collectorId === collectorId).sort((a, b) => b.savedAt.localeCompare(a.savedAt));
}

export async function keep(record: Kept): Promise<void> {
  await run('readwrite', (s) => s.put(record));
}

export async function drop(key: string): Promise<void> {
  await run('readwrite', (s) => s.delete(key));
}

/** 退出: everything but what was never sent (it would be lost otherwise). */
export async function forgetSent(): Promise<void> {
  const all = (await run<Kept[]>('readonly', (s) => s.getAll() as IDBRequest<Kept[]>)) ?? [];
  for (const k of all) if (k.state !== 'unsent') await drop(k.key);
}

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as { __liudongStack?: { stop(): Promise<void> } }).__liudongStack;
  if (stack) await stack.stop();
}

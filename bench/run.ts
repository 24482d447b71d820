// npm run bench: every benchmark, each figure a ratio against a raw baseline measured in this same run.
import { benchRegistrations } from './b1-registrations';
import { benchExchanges } from './b2-exchanges';
import { startBenchStack, writeResults } from './lib';

async function main(): Promise<void> {
  const stack = await startBenchStack();
  try {
    await benchRegistrations(stack);
    await benchExchanges(stack);
  } finally {
    writeResults();
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

import cluster from 'node:cluster';
import { AppConfig, ConfigError, loadConfig } from '@/config/config';
import type { ProcessRole } from './app.module';

// `node dist/src/main.js`            npm start: API_PROCESSES HTTP processes sharing the port, and one queue worker process,
//                                    each with its own database pool, supervised (a process that dies is started again)
// `node dist/src/main.js api|worker` one process of one kind (start:api / start:worker, for an orchestrator to scale)
// `node dist/src/main.js all`        API and workers in one process (small installations, debugging)
const RESTART_DELAY_MS = 1_000;

// V8 lets a busy process's heap grow by large steps and keeps what it took; 15 % steps keep the API and worker near
// what they hold (issue 16, B5: 590 → 390 MB for the three processes under B1's load, for about 6 % of B1's rate).
// The forks of `npm start` get it unless the operator set their own; start:api / start:worker pass it themselves.
const HEAP_GROWING = '--heap-growing-percent=15';

function childExecArgv(): string[] {
  return process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent')) ? process.execArgv : [...process.execArgv, HEAP_GROWING];
}

async function run(role: ProcessRole, config: AppConfig): Promise<void> {
  // Loaded here, not at the top: the supervisor of `npm start` needs none of the application (less memory).
  const [{ NestFactory }, { Logger }, { AppModule }, { createApp }] = await Promise.all([
    import('@nestjs/core'),
    import('nestjs-pino'),
    import('./app.module'),
    import('./configure-app'),
  ]);
  if (role === 'worker') {
    const worker = await NestFactory.createApplicationContext(AppModule.forRoot(config, role), { bufferLogs: true });
    worker.useLogger(worker.get(Logger));
    worker.enableShutdownHooks();
    return;
  }
  const app = await createApp(config, role);
  await app.listen(config.port, '0.0.0.0');
  app.get(Logger).log(`流动 Liudong listening on port ${config.port}: open http://127.0.0.1:${config.port}/ (API docs: /api/docs)`);
}

/** The primary of `npm start`: forks the API and worker processes and starts again any that dies, until told to stop. */
function supervise(config: AppConfig): void {
  let stopping = false;
  const start = (role: 'api' | 'worker') => {
    // The child reads its role from its arguments, as `main.js api` would.
    cluster.setupPrimary({ args: [role], execArgv: childExecArgv() });
    cluster.fork().on('exit', (code, signal) => {
      if (stopping) return;
      console.error(`[liudong] ${role} process exited (${signal ?? code}); starting another in ${RESTART_DELAY_MS} ms`);
      setTimeout(() => start(role), RESTART_DELAY_MS);
    });
  };
  for (let i = 0; i < config.apiProcesses; i++) start('api');
  start('worker');
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    const children = Object.values(cluster.workers ?? {});
    for (const child of children) child?.process.kill(signal);
    let left = children.length;
    if (left === 0) process.exit(0);
    for (const child of children) child?.on('exit', () => --left === 0 && process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGTERM'));
}

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const role = process.argv[2] as ProcessRole | undefined;
  if (role === undefined && cluster.isPrimary) return supervise(config);
  if (!role || !['all', 'api', 'worker'].includes(role)) throw new Error(`unknown process role "${role}" (all | api | worker)`);
  return run(role, config);
}

bootstrap().catch((error: unknown) => {
  // A bad configuration names the variables; anything else prints its stack.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});

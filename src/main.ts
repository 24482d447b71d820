import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '@/config/config';
import { AppModule, ProcessRole } from './app.module';
import { createApp } from './configure-app';

async function bootstrap(): Promise<void> {
  const role = (process.argv[2] ?? 'all') as ProcessRole;
  if (!['all', 'api', 'worker'].includes(role)) throw new Error(`unknown process role "${role}" (all | api | worker)`);
  const config = loadConfig();
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

bootstrap().catch((error: unknown) => {
  // A bad configuration names the variables; anything else prints its stack.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});

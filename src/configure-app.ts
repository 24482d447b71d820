import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { HttpErrorFilter } from '@/common/http-error.filter';
import { createValidationPipe } from '@/common/validation';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import multipart from '@fastify/multipart';
import { AppModule, ProcessRole } from './app.module';

/** Everything global about the HTTP app; main.ts and every e2e test go through here. */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  const config = app.get<AppConfig>(APP_CONFIG);
  // Bulk registers arrive as multipart uploads with a size limit of their own (larger → 413).
  void app.register(multipart, { limits: { fileSize: config.importMaxBytes, files: 1, fields: 5, fieldSize: 1024 } });
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('流动 Liudong API')
      .setDescription('流动人口婚育信息交换：流入/流出登记、婚育证明、信息交换与考核指标')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}

export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
    // A caller's X-Request-Id is kept (and logged) so one request can be followed across services.
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Certificate verification codes are 107 characters; Fastify's default would answer 414.
    routerOptions: { maxParamLength: 200 },
  });
}

/** Builds the configured HTTP application (not yet listening). */
export async function createApp(config: AppConfig, role: ProcessRole = 'all'): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, role), createFastifyAdapter(config), {
    bufferLogs: true,
  });
  return configureApp(app);
}

import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';

// Fields that may hold personal data, wherever they appear in a logged object.
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.idNumber',
  '*.name',
  '*.phone',
  '*.password',
  '*.spouse',
  '*.person',
  '*.holder',
];

/** Logs the path only: a query string can carry a full ID number (`?idNumber=`) or a name (`?q=`). */
export function loggablePath(url: string | undefined): string {
  return (url ?? '').split('?')[0];
}

export const AppLoggerModule = LoggerModule.forRootAsync({
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => ({
    pinoHttp: {
      level: config.logLevel,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: loggablePath(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req: IncomingMessage, res: { statusCode: number }, err?: Error) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    },
    // nestjs-pino's default ('*') is the unnamed wildcard Nest 11 warns about at every start.
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
  }),
});

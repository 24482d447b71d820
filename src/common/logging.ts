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

// In a path: an ID number (18 characters, the last a digit or X; or the old 15 digits), any longer run of digits, and
// an 11-digit mobile number. Division codes (12 digits) and UUIDs (at most 12 digits in a row) stay readable.
const PERSONAL_DIGITS = /\d{15,}[Xx]?|(?<!\d)1[3-9]\d{9}(?!\d)/g;

/**
 * Logs the path only: a query string can carry a full ID number (`?idNumber=`) or a name (`?q=`); and in the path an ID
 * number or a phone number typed where an id belongs (a 400) is masked.
 */
export function loggablePath(url: string | undefined): string {
  return maskPersonalNumbers((url ?? '').split('?')[0]);
}

/** Text a person typed (a path, a username tried at login) with any ID number or mobile number in it masked. */
export function maskPersonalNumbers(text: string): string {
  return text.replace(PERSONAL_DIGITS, '[REDACTED]');
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

import { randomUUID } from 'node:crypto';
import { constants as zlibConstants } from 'node:zlib';
import type { Socket } from 'node:net';
import { HttpStatus } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, getSchemaPath, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorView } from '@/common/api-views';
import { Logger } from 'nestjs-pino';
import { AppError, Errors } from '@/common/errors';
import { HttpErrorFilter } from '@/common/http-error.filter';
import { createValidationPipe } from '@/common/validation';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import compress from '@fastify/compress';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import secureJson from 'secure-json-parse';
import { AppModule, ProcessRole } from './app.module';
import { consoleRoot, registerConsole, registerSecurityHeaders } from './console-host';

/** Everything global about the HTTP app; main.ts and every e2e test go through here. */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  const config = app.get<AppConfig>(APP_CONFIG);
  // The console at `/` (and its history-mode fallback); registered before Nest's routes take the rest.
  registerConsole(app.getHttpAdapter().getInstance(), consoleRoot());
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
    { extraModels: [ErrorView] },
  );
  documentErrors(document);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}

/** Every refusal has the contract's error body (api.md, Conventions): described once, as every operation's default answer. */
function documentErrors(document: OpenAPIObject): void {
  const error = {
    description: '拒绝（4xx）或服务暂不可用（503）：统一的错误格式',
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorView) } } },
  };
  for (const path of Object.values(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = path[method];
      if (operation) operation.responses = { ...operation.responses, default: error };
    }
  }
}

/** Deeper than any body of the contract (an inflow is 3 levels); deeper input could exhaust the stack downstream. */
export const MAX_JSON_DEPTH = 32;
/**
 * Keys in all, at every level, an array's elements counting as its keys (as they do in JavaScript): an inflow has
 * about 40. Validation answers each unknown key on its own, so 70 000 of them held the event loop for seconds.
 */
export const MAX_JSON_KEYS = 1000;

/**
 * The first limit a JSON text breaks, found without parsing it, in one pass that stops there (brackets and commas
 * inside strings do not count): `depth` past MAX_JSON_DEPTH levels, `keys` past MAX_JSON_KEYS.
 */
export function jsonLimitBroken(text: string): 'depth' | 'keys' | null {
  let depth = 0;
  let keys = 0;
  let inString = false;
  // Just after `{` or `[`: the next token says whether the container holds a first member.
  let opened = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (opened) {
      opened = false;
      if (c !== 0x7d && c !== 0x5d && ++keys > MAX_JSON_KEYS) return 'keys';
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) return 'depth';
      opened = true;
    } else if (c === 0x7d || c === 0x5d) depth--;
    // Every member after a container's first one follows a comma.
    else if (c === 0x2c && ++keys > MAX_JSON_KEYS) return 'keys';
  }
  return null;
}

const JSON_LIMITS = {
  depth: () =>
    new AppError(HttpStatus.BAD_REQUEST, 'MALFORMED_REQUEST', `JSON 嵌套过深（最多 ${MAX_JSON_DEPTH} 层）`, [{ field: 'body', message: '嵌套过深' }]),
  keys: () =>
    new AppError(HttpStatus.BAD_REQUEST, 'MALFORMED_REQUEST', `JSON 字段过多（全部层级合计最多 ${MAX_JSON_KEYS} 个，数组元素也计入）`, [
      { field: 'body', message: '字段过多' },
    ]),
};

export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
    // A caller's X-Request-Id is kept (and logged) so one request can be followed across services.
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Certificate verification codes are 107 characters; Fastify's default would answer 414.
    routerOptions: { maxParamLength: 200 },
    // Refusals Fastify makes before any route runs get the contract's error body too (api.md, Conventions).
    clientErrorHandler: answerClientError,
    frameworkErrors: (error: { code?: string }, _request: unknown, reply: FastifyReply) => {
      const bad = error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void reply.status(400).send(bad ? BAD_URL : { statusCode: 400, code: 'BAD_REQUEST', message: '请求有误', details: [] });
    },
  });
  // JSON as Fastify parses it (prototype poisoning refused), and refused when nested absurdly deep or with too many keys.
  const fastify = adapter.getInstance();
  registerCompression(fastify);
  registerSecurityHeaders(fastify);
  // Bodies are JSON (or multipart uploads): plain text is a wrong content type (415), not an empty object.
  fastify.removeContentTypeParser('text/plain');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(null, undefined);
    const broken = jsonLimitBroken(text);
    if (broken) return done(JSON_LIMITS[broken](), undefined);
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      // `__proto__` (or constructor.prototype) would poison objects downstream: refused as the unknown field it is.
      if (error instanceof SyntaxError && /forbidden prototype/.test(error.message)) {
        return done(Errors.validation([{ field: '__proto__', message: '不允许的字段' }]), undefined);
      }
      done(new AppError(HttpStatus.BAD_REQUEST, 'MALFORMED_REQUEST', '请求体无法解析，须为有效的 JSON', []), undefined);
    }
  });
  return adapter;
}

/** Answers smaller than this go out as they are: a registration's answer (B1) is not worth the CPU. */
export const COMPRESS_THRESHOLD_BYTES = 1024;

/**
 * Township offices have slow links (console.md, "Weight on the wire"): API answers of 1 KB or more go out compressed,
 * brotli or gzip as the client accepts (`Vary: Accept-Encoding`). Registered before any route, so every route gets it.
 * The console's files were compressed at build (registerConsole serves those copies, which this then leaves alone);
 * XLSX and PDF are compressed formats already and are sent as they are (mime-db marks them not compressible).
 * Bodies sent to the service are never decompressed: a compressed body is refused as before, so the JSON limits and
 * the body limit keep measuring what is parsed.
 */
function registerCompression(fastify: FastifyInstance): void {
  // Registered, not awaited: awaiting would start Fastify's plugin loading before Nest has added its own.
  void fastify.register(compress, {
    encodings: ['br', 'gzip'],
    threshold: COMPRESS_THRESHOLD_BYTES,
    // Brotli quality 4 on the fly (the plugin's default, said here): near gzip's CPU cost, smaller answers.
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
    globalDecompression: false,
  });
}

const BAD_URL = {
  statusCode: 400,
  code: 'BAD_URL',
  message: '网址有误：含有无法解析的编码，请检查链接或重新输入',
  details: [{ field: 'url', message: '编码无效' }],
};

/**
 * A request Node's HTTP parser itself refused (raw non-ASCII bytes in the URL, a malformed header, a timeout): no
 * request object exists, so the answer is written to the socket by hand, in the contract's shape.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, body] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', { statusCode: 408, code: 'REQUEST_TIMEOUT', message: '请求超时，请重试', details: [] }]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', { statusCode: 431, code: 'HEADERS_TOO_LARGE', message: '请求头过大', details: [] }]
        : [400, 'Bad Request', { ...BAD_URL, message: '请求格式有误：网址须经 URL 编码（中文等字符须编码），请求头须为 ASCII' }];
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      [
        `HTTP/1.1 ${status} ${reason}`,
        `Content-Length: ${Buffer.byteLength(text)}`,
        'Content-Type: application/json; charset=utf-8',
        'Connection: close',
        '',
        text,
      ].join('\r\n'),
    );
  }
  socket.destroy(error);
}

/** Builds the configured HTTP application (not yet listening). */
export async function createApp(config: AppConfig, role: ProcessRole = 'all'): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, role), createFastifyAdapter(config), {
    bufferLogs: true,
    // The adapter has its own JSON parser (depth limit); Nest's would replace it.
    bodyParser: false,
  });
  return configureApp(app);
}

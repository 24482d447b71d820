import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RequestContext {
  ip: string | null;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The client address of the request being served, for the audit log (null in jobs and scripts). */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(req: IncomingMessage, _res: ServerResponse, next: () => void): void {
    storage.run({ ip: req.socket?.remoteAddress ?? null }, next);
  }
}

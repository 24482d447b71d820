import { ParseUUIDPipe } from '@nestjs/common';
import { Errors } from './errors';

/** A path id that must be a UUID; anything else is a 400 naming the parameter, not a database error. */
export function UuidPipe(field = 'id'): ParseUUIDPipe {
  return new ParseUUIDPipe({ exceptionFactory: () => Errors.validation([{ field, message: '必须是有效的编号（UUID）' }]) });
}

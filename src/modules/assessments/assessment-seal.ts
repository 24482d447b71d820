import { createHash, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import stableStringify from 'fast-json-stable-stringify';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';

/**
 * The seal of a frozen month (assessment.md): SHA-256 of the canonical JSON of its figures (keys sorted, no spaces),
 * and an Ed25519 signature of those bytes with the service's key (the certificates' key). Anyone holding a report's
 * hash can ask the service whether it froze it; the service checks the stored figures still hash to it and the
 * signature still holds, so a row altered in the database is not taken for authentic.
 */
@Injectable()
export class AssessmentSeal {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.privateKey = config.certSigningKey;
    this.publicKey = createPublicKey(config.certSigningKey);
  }

  seal(body: object): { hash: string; signature: string } {
    const bytes = Buffer.from(stableStringify(body), 'utf8');
    return { hash: createHash('sha256').update(bytes).digest('hex'), signature: sign(null, bytes, this.privateKey).toString('base64') };
  }

  holds(body: object, hash: string, signature: string): boolean {
    const bytes = Buffer.from(stableStringify(body), 'utf8');
    if (createHash('sha256').update(bytes).digest('hex') !== hash) return false;
    try {
      return verify(null, bytes, this.publicKey, Buffer.from(signature, 'base64'));
    } catch {
      return false;
    }
  }
}

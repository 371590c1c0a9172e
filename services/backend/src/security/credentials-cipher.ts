import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedCredentials {
  ciphertext: string;
  keyId: string;
}

/**
 * AES-256-GCM for integration credentials. Each key is known by an id derived
 * from it, stored beside the ciphertext, so a rotated-out key can still open old
 * rows while new ones are sealed with the current key. The tenant id is bound as
 * associated data: a ciphertext copied to another tenant's row will not open.
 */
export class CredentialsCipher {
  readonly #current: { id: string; key: Buffer };
  readonly #keys: Map<string, Buffer>;

  constructor(currentKeyBase64: string, previousKeysBase64: readonly string[] = []) {
    const toEntry = (b64: string) => {
      const key = Buffer.from(b64, 'base64');
      if (key.length !== 32) throw new Error('encryption keys must be 32 bytes');
      return { id: createHash('sha256').update(key).digest('hex').slice(0, 12), key };
    };
    this.#current = toEntry(currentKeyBase64);
    this.#keys = new Map([this.#current, ...previousKeysBase64.map(toEntry)].map((e) => [e.id, e.key]));
  }

  seal(tenantId: number, credentials: unknown): SealedCredentials {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#current.key, iv);
    cipher.setAAD(Buffer.from(`tenant:${tenantId}`));
    const body = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
    return {
      ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64'),
      keyId: this.#current.id,
    };
  }

  open(tenantId: number, sealed: SealedCredentials): unknown {
    const key = this.#keys.get(sealed.keyId);
    if (!key) throw new Error(`no encryption key with id ${sealed.keyId} is configured`);
    const raw = Buffer.from(sealed.ciphertext, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`tenant:${tenantId}`));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as unknown;
  }
}

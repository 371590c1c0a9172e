import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Envelope version marker. Version 2 binds tenant *and* integration in the associated data;
 * rows without the marker are version 1 (tenant only), still readable, and rewritten as version 2
 * by `tributary keys rotate`.
 */
const V2_PREFIX = 'v2:';

export interface SealedCredentials {
  ciphertext: string;
  keyId: string;
}

/** The stored credentials cannot be opened: the key id is not configured, or the data does not authenticate. */
export class CredentialsUnreadableError extends Error {
  override name = 'CredentialsUnreadableError';
  readonly keyId: string;
  constructor(keyId: string, message: string) {
    super(message);
    this.keyId = keyId;
  }
}

/** The id of an encryption key: derived from it, so the same key always has the same id. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/**
 * AES-256-GCM for integration credentials. Each key is known by an id derived
 * from it, stored beside the ciphertext, so a rotated-out key can still open old
 * rows while new ones are sealed with the current key. Tenant and integration ids
 * are bound as associated data: a ciphertext copied to another tenant's row, or to
 * another integration of the same tenant, will not open.
 */
export class CredentialsCipher {
  readonly #current: { id: string; key: Buffer };
  readonly #keys: Map<string, Buffer>;

  constructor(currentKeyBase64: string, previousKeysBase64: readonly string[] = []) {
    const toEntry = (b64: string) => {
      const key = Buffer.from(b64, 'base64');
      if (key.length !== 32) throw new Error('encryption keys must be 32 bytes');
      return { id: keyIdOf(key), key };
    };
    this.#current = toEntry(currentKeyBase64);
    this.#keys = new Map([this.#current, ...previousKeysBase64.map(toEntry)].map((e) => [e.id, e.key]));
  }

  get currentKeyId(): string {
    return this.#current.id;
  }

  hasKey(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  seal(tenantId: number, integrationId: number, credentials: unknown): SealedCredentials {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#current.key, iv);
    cipher.setAAD(Buffer.from(`tenant:${tenantId}|integration:${integrationId}`));
    const body = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
    return {
      ciphertext: V2_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64'),
      keyId: this.#current.id,
    };
  }

  open(tenantId: number, integrationId: number, sealed: SealedCredentials): unknown {
    const key = this.#keys.get(sealed.keyId);
    if (!key) {
      throw new CredentialsUnreadableError(
        sealed.keyId,
        `no encryption key with id ${sealed.keyId} is configured`,
      );
    }
    const v2 = sealed.ciphertext.startsWith(V2_PREFIX);
    const raw = Buffer.from(v2 ? sealed.ciphertext.slice(V2_PREFIX.length) : sealed.ciphertext, 'base64');
    const aad = v2 ? `tenant:${tenantId}|integration:${integrationId}` : `tenant:${tenantId}`;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as unknown;
    } catch {
      throw new CredentialsUnreadableError(
        sealed.keyId,
        `credentials sealed with key ${sealed.keyId} do not open for this row`,
      );
    }
  }

  /** Whether a row should be rewritten: sealed with an older key, or in the version-1 envelope. */
  needsRewrap(sealed: SealedCredentials): boolean {
    return sealed.keyId !== this.#current.id || !sealed.ciphertext.startsWith(V2_PREFIX);
  }
}

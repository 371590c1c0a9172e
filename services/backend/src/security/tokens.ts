import { createHash, randomBytes } from 'node:crypto';

/** A new tenant API token: 32 random bytes, prefixed so it is recognisable in a leak scan. */
export function generateApiToken(): string {
  return `trb_${randomBytes(32).toString('base64url')}`;
}

/** Tokens are stored only as their SHA-256; they have full entropy, so no slow hash is needed. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { errorMessage, isError } from './error-message.ts';

describe('errorMessage', () => {
  it('reads an Error, an error from another realm, and anything else thrown', () => {
    const foreign: unknown = runInNewContext('new TypeError("from a vm context")');
    expect(foreign instanceof Error).toBe(false);
    expect([
      errorMessage(new Error('boom')),
      errorMessage(foreign),
      errorMessage('plain text'),
      errorMessage(42),
    ]).toEqual(['boom', 'from a vm context', 'plain text', '42']);
  });

  it('does not take an object with a message for an Error unless it also has a name', () => {
    expect(isError({ message: 'half an error' })).toBe(false);
    expect(errorMessage({ message: 'half an error' })).toBe('[object Object]');
  });
});

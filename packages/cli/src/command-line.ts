import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { errorMessage } from '@tributary/contracts';
import { CONNECTION_ARGS } from './api-connection.ts';

/** A mistake in the command line: the command prints it with its usage and exits 2. */
export class UsageError extends Error {}

/** An id given on the command line (digits, no leading zero); else a UsageError naming `what`. */
export function positiveId(value: string | undefined, what: string): number {
  if (!value || !/^[1-9][0-9]*$/.test(value))
    throw new UsageError(`${what} must be a positive integer, got ${value ?? 'nothing'}`);
  return Number(value);
}

/**
 * A command's arguments, with the connection options every command takes (CONNECTION_ARGS) next
 * to its own; undefined after printing the mistake and `usage` (exit 2).
 */
export function parseCommandLine<TOptions extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  options: TOptions,
  usage: string,
  err: (line: string) => void,
) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { ...CONNECTION_ARGS, ...options },
    });
  } catch (error) {
    err(`${errorMessage(error)}\n\n${usage}`);
    return undefined;
  }
}

/**
 * What a command that threw prints and exits with: a UsageError with `usage` (2), anything else
 * (the API refused, the network failed) as `error: …` (1).
 */
export function failure(error: unknown, usage: string, err: (line: string) => void): number {
  if (error instanceof UsageError) {
    err(`${error.message}\n\n${usage}`);
    return 2;
  }
  err(`error: ${errorMessage(error)}`);
  return 1;
}

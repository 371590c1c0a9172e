import { readFileSync } from 'node:fs';
import { errorMessage } from '@tributary/contracts';

// How every command reaches the API: base URL and token from options, environment or a token file.

/** The command-line options every command takes: where the API is, who speaks, and how to answer. */
export const CONNECTION_ARGS = {
  url: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export interface ConnectionOptions {
  url?: string | undefined;
  token?: string | undefined;
  'token-file'?: string | undefined;
}

export type ApiCall = (method: string, path: string, body?: unknown) => Promise<unknown>;

/**
 * The backend URL and token: `--url` / TRIBUTARY_URL, then `--token` / TRIBUTARY_TOKEN, else the
 * first line of `--token-file` / TRIBUTARY_TOKEN_FILE (so a token need not appear in `ps`).
 * Answers the message to print (exit code 2) when there is no usable token.
 */
export function resolveConnection(
  values: ConnectionOptions,
  env: Record<string, string | undefined>,
): { url: string; token: string } | { problem: string } {
  const url = values.url ?? env.TRIBUTARY_URL ?? 'http://127.0.0.1:8080';
  let token = values.token ?? env.TRIBUTARY_TOKEN;
  const tokenFile = values['token-file'] ?? env.TRIBUTARY_TOKEN_FILE;
  if (!token && tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (error) {
      return { problem: `cannot read the token file ${tokenFile}: ${errorMessage(error)}` };
    }
  }
  if (!token)
    return { problem: 'a token is required: --token, --token-file, TRIBUTARY_TOKEN or TRIBUTARY_TOKEN_FILE' };
  return { url, token };
}

/** The request every client of the API makes: the bearer token, and the body (if any) as JSON. */
export function sendJson(
  fetchImpl: typeof fetch,
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetchImpl(new URL(path, baseUrl), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The API call of a command's connection options; undefined after printing why there is none (exit 2). */
export function connect(
  values: ConnectionOptions,
  io: { env: Record<string, string | undefined>; fetch: typeof fetch; err: (line: string) => void },
): ApiCall | undefined {
  const connection = resolveConnection(values, io.env);
  if ('problem' in connection) {
    io.err(connection.problem);
    return undefined;
  }
  return apiCall(io.fetch, connection.url, connection.token);
}

/** A JSON call to the API; a non-2xx answer throws `<status>: <the API's error message>`. */
export function apiCall(fetchImpl: typeof fetch, url: string, token: string): ApiCall {
  return async (method, path, body) => {
    const response = await sendJson(fetchImpl, url, token, method, path, body);
    const text = await response.text();
    const answer: unknown = text ? JSON.parse(text) : null;
    if (!response.ok) throw new Error(`${response.status}: ${errorMessageOf(answer) ?? text}`);
    return answer;
  };
}

function errorMessageOf(answer: unknown): string | undefined {
  if (typeof answer !== 'object' || answer === null || !('error' in answer)) return undefined;
  const { error } = answer;
  if (typeof error !== 'object' || error === null || !('message' in error)) return undefined;
  return typeof error.message === 'string' ? error.message : undefined;
}

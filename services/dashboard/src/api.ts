/** A field-level problem as the API reports it (`{ error: { code, message, details } }`). */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  constructor(status: number, code: string, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
  /** The message for one field (e.g. `config.repositories.0`), matching by prefix. */
  forField(path: string): string | undefined {
    return this.details.find((d) => d.path === path || d.path.startsWith(`${path}.`))?.message;
  }
}

let token: string | null = sessionStorage.getItem('tributary.token');
let onUnauthenticated: () => void = () => undefined;

export const session = {
  get token(): string | null {
    return token;
  },
  /** Kept in session storage (this tab only, gone when it closes), never in a URL or a cookie. */
  set(value: string | null): void {
    token = value;
    if (value) sessionStorage.setItem('tributary.token', value);
    else sessionStorage.removeItem('tributary.token');
  },
  onUnauthenticated(handler: () => void): void {
    onUnauthenticated = handler;
  },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Calls the backend with the session's token; a 4xx/5xx becomes an ApiError with the API's message. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'the backend cannot be reached');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const error = isRecord(json) && isRecord(json.error) ? json.error : {};
    const details = Array.isArray(error.details)
      ? error.details.filter(isRecord).map((d) => ({
          path: typeof d.path === 'string' ? d.path : '',
          message: typeof d.message === 'string' ? d.message : '',
        }))
      : [];
    const apiError = new ApiError(
      response.status,
      typeof error.code === 'string' ? error.code : 'HTTP_ERROR',
      typeof error.message === 'string' ? error.message : `the backend answered ${response.status}`,
      details,
    );
    if (response.status === 401 && token) onUnauthenticated();
    throw apiError;
  }
  return json as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

/** Query string from the defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

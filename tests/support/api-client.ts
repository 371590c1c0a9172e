import { sendJson } from '@tributary/cli';

/** A tiny client for the backend's public API, as a user's script would use it. */
export class ApiClient {
  readonly baseUrl: string;
  readonly token: string;
  constructor(baseUrl: string, token: string) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  // The caller names the answer's shape it then asserts on; a test helper, not a boundary of ours.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await sendJson(fetch, this.baseUrl, this.token, method, path, body);
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, body: answer } = await this.request<T>(method, path, body);
    if (status >= 300) throw new Error(`${method} ${path} answered ${status}: ${JSON.stringify(answer)}`);
    return answer;
  }
}

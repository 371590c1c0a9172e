import type { z } from 'zod';
import {
  integrationWithCredentialsSchema,
  internalJobSchema,
  jobControlStateSchema,
  pageResultSchema,
  syncStateAnswerSchema,
  type FailJobBody,
  type InternalJob,
  type IntegrationWithCredentials,
  type JobControlState,
  type JobErrorCode,
  type PageBody,
  type PageResult,
  type SaveSyncStateBody,
  type SyncStateRow,
} from '@tributary/contracts';
import { httpErrorFrom, resilientCall, type Breaker } from '@tributary/resilience';

export type { IntegrationWithCredentials, JobControlState, SyncStateRow };

/**
 * The extractor's only way to state: the backend's internal API, every call
 * through retry → breaker (DESIGN §4). A 4xx answer surfaces at once as an
 * HttpError with the backend's message; 5xx and network errors are retried.
 * Every answer is parsed with its contracts schema: a backend answering another
 * shape fails here, naming the field, not somewhere downstream.
 */
export class BackendClient {
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #breaker: Breaker;
  readonly #retry: { retries: number; baseMs: number; capMs: number };

  constructor(options: {
    baseUrl: string;
    serviceToken: string;
    breaker: Breaker;
    retry?: { retries: number; baseMs: number; capMs: number };
  }) {
    this.#baseUrl = options.baseUrl;
    this.#token = options.serviceToken;
    this.#breaker = options.breaker;
    this.#retry = options.retry ?? { retries: 3, baseMs: 500, capMs: 5000 };
  }

  /** The backend hands out credentials only for a RUNNING job of the integration (the one we claimed). */
  getIntegration(
    tenantId: number,
    integrationId: number,
    jobId: number,
  ): Promise<IntegrationWithCredentials> {
    return this.#call(
      integrationWithCredentialsSchema,
      'GET',
      tenantId,
      `/internal/v1/integrations/${integrationId}?job_id=${jobId}`,
    );
  }

  async getSyncState(tenantId: number, integrationId: number): Promise<SyncStateRow[]> {
    const body = await this.#call(
      syncStateAnswerSchema,
      'GET',
      tenantId,
      `/internal/v1/integrations/${integrationId}/sync-state`,
    );
    return body.sync_state;
  }

  async saveSyncState(tenantId: number, integrationId: number, state: SaveSyncStateBody): Promise<void> {
    await this.#call(null, 'PUT', tenantId, `/internal/v1/integrations/${integrationId}/sync-state`, state);
  }

  /**
   * Stores one page (or part of one): its records, the cursor reached and the stream's progress,
   * in one backend transaction. Answers one result per record and the stream's progress now.
   */
  storePage(tenantId: number, jobId: number, page: PageBody): Promise<PageResult> {
    return this.#call(pageResultSchema, 'POST', tenantId, `/internal/v1/jobs/${jobId}/pages`, page);
  }

  claimJob(tenantId: number, jobId: number): Promise<InternalJob> {
    return this.#call(internalJobSchema, 'POST', tenantId, `/internal/v1/jobs/${jobId}/claim`);
  }

  heartbeat(tenantId: number, jobId: number): Promise<JobControlState> {
    return this.#call(jobControlStateSchema, 'POST', tenantId, `/internal/v1/jobs/${jobId}/heartbeat`);
  }

  async reportProgress(tenantId: number, jobId: number, progress: Record<string, unknown>): Promise<void> {
    await this.#call(null, 'POST', tenantId, `/internal/v1/jobs/${jobId}/progress`, { progress });
  }

  async extractionFinished(tenantId: number, jobId: number): Promise<InternalJob> {
    return this.#call(internalJobSchema, 'POST', tenantId, `/internal/v1/jobs/${jobId}/extraction-finished`);
  }

  async markCancelled(tenantId: number, jobId: number): Promise<InternalJob> {
    return this.#call(internalJobSchema, 'POST', tenantId, `/internal/v1/jobs/${jobId}/cancelled`);
  }

  async pauseJob(tenantId: number, jobId: number, reason: string): Promise<InternalJob> {
    return this.#call(internalJobSchema, 'POST', tenantId, `/internal/v1/jobs/${jobId}/pause`, { reason });
  }

  async failJob(
    tenantId: number,
    jobId: number,
    error: string,
    retryable: boolean,
    code?: JobErrorCode,
  ): Promise<InternalJob> {
    const body: FailJobBody = { error: error.slice(0, 4000), retryable, ...(code ? { code } : {}) };
    return this.#call(internalJobSchema, 'POST', tenantId, `/internal/v1/jobs/${jobId}/fail`, body);
  }

  /** Whether the backend answers at all (for readiness), outside the breaker. */
  async ping(): Promise<void> {
    const response = await fetch(new URL('/healthz', this.#baseUrl), { signal: AbortSignal.timeout(2000) });
    if (!response.ok) throw new Error(`backend /healthz answered ${response.status}`);
  }

  /** One call; `schema` null for an answer without a body (204). */
  #call<S extends z.ZodType>(
    schema: S,
    method: 'GET' | 'POST' | 'PUT',
    tenantId: number,
    path: string,
    body?: unknown,
  ): Promise<z.output<S>>;
  #call(
    schema: null,
    method: 'GET' | 'POST' | 'PUT',
    tenantId: number,
    path: string,
    body?: unknown,
  ): Promise<void>;
  async #call(
    schema: z.ZodType | null,
    method: 'GET' | 'POST' | 'PUT',
    tenantId: number,
    path: string,
    body?: unknown,
  ): Promise<unknown> {
    const text = await resilientCall(
      { breaker: this.#breaker, retry: { source: 'backend', ...this.#retry, attemptTimeoutMs: 30_000 } },
      async ({ signal }) => {
        const response = await fetch(new URL(path, this.#baseUrl), {
          method,
          headers: {
            authorization: `Bearer ${this.#token}`,
            'x-tenant-id': String(tenantId),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          ...(signal ? { signal } : {}),
        });
        const text = await response.text();
        if (!response.ok) {
          throw httpErrorFrom({
            status: response.status,
            url: path,
            headers: response.headers,
            body: text,
            source: 'backend',
          });
        }
        return text;
      },
    );
    // Parsed outside the retry and the breaker: a wrong shape is a bug to report, not an outage to wait out.
    if (schema === null) return undefined;
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new BackendAnswerError(method, path, 'body is not JSON');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BackendAnswerError(
        method,
        path,
        issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid',
      );
    }
    return parsed.data;
  }
}

/** The backend answered 2xx with a body that does not match the contract. */
export class BackendAnswerError extends Error {
  constructor(method: string, path: string, problem: string) {
    super(`backend answered ${method} ${path.split('?')[0]} with an unexpected body: ${problem}`);
  }
}

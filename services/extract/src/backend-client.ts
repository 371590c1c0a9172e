import {
  rawBatchResultSchema,
  type EntityType,
  type JobErrorCode,
  type RawBatchItemResult,
  type RawRecord,
} from '@tributary/contracts';
import { httpErrorFrom, resilientCall, type Breaker } from '@tributary/resilience';

export interface IntegrationWithCredentials {
  id: number;
  tenant_id: number;
  type: 'jira' | 'github';
  name: string;
  base_url: string;
  config: Record<string, unknown>;
  credentials: Record<string, unknown>;
}

export interface SyncStateRow {
  stream: string;
  scope: string;
  cursor: string | null;
  etag: string | null;
  /** Set when saving: the job that reached this position keeps it too (full-run resume). */
  job_id?: number;
}

export interface JobControlState {
  status: string;
  cancel_requested: boolean;
}

/**
 * The extractor's only way to state: the backend's internal API, every call
 * through retry → breaker (DESIGN §4). A 4xx answer surfaces at once as an
 * HttpError with the backend's message; 5xx and network errors are retried.
 */
export class BackendClient {
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #breaker: Breaker;
  readonly #retry: { retries: number; baseMs: number; capMs: number };

  constructor(options: { baseUrl: string; serviceToken: string; breaker: Breaker; retry?: { retries: number; baseMs: number; capMs: number } }) {
    this.#baseUrl = options.baseUrl;
    this.#token = options.serviceToken;
    this.#breaker = options.breaker;
    this.#retry = options.retry ?? { retries: 3, baseMs: 500, capMs: 5000 };
  }

  /** The backend hands out credentials only for a RUNNING job of the integration (the one we claimed). */
  getIntegration(tenantId: number, integrationId: number, jobId: number) {
    return this.#call<IntegrationWithCredentials>('GET', tenantId, `/internal/v1/integrations/${integrationId}?job_id=${jobId}`);
  }

  async getSyncState(tenantId: number, integrationId: number): Promise<SyncStateRow[]> {
    const body = await this.#call<{ sync_state: SyncStateRow[] }>(
      'GET',
      tenantId,
      `/internal/v1/integrations/${integrationId}/sync-state`,
    );
    return body.sync_state;
  }

  async saveSyncState(tenantId: number, integrationId: number, state: SyncStateRow): Promise<void> {
    await this.#call('PUT', tenantId, `/internal/v1/integrations/${integrationId}/sync-state`, state);
  }

  claimJob(tenantId: number, jobId: number) {
    return this.#call<{ id: number; status: string }>('POST', tenantId, `/internal/v1/jobs/${jobId}/claim`);
  }

  heartbeat(tenantId: number, jobId: number) {
    return this.#call<JobControlState>('POST', tenantId, `/internal/v1/jobs/${jobId}/heartbeat`);
  }

  async reportProgress(tenantId: number, jobId: number, progress: Record<string, unknown>): Promise<void> {
    await this.#call('POST', tenantId, `/internal/v1/jobs/${jobId}/progress`, { progress });
  }

  async extractionFinished(tenantId: number, jobId: number): Promise<void> {
    await this.#call('POST', tenantId, `/internal/v1/jobs/${jobId}/extraction-finished`);
  }

  async markCancelled(tenantId: number, jobId: number): Promise<void> {
    await this.#call('POST', tenantId, `/internal/v1/jobs/${jobId}/cancelled`);
  }

  async pauseJob(tenantId: number, jobId: number, reason: string): Promise<void> {
    await this.#call('POST', tenantId, `/internal/v1/jobs/${jobId}/pause`, { reason });
  }

  async failJob(tenantId: number, jobId: number, error: string, retryable: boolean, code?: JobErrorCode): Promise<void> {
    await this.#call('POST', tenantId, `/internal/v1/jobs/${jobId}/fail`, { error: error.slice(0, 4000), retryable, ...(code ? { code } : {}) });
  }

  async storeBatch(
    tenantId: number,
    records: (Omit<RawRecord, 'extraction_metadata'> & { entity_type: EntityType; extraction_metadata: Record<string, unknown> })[],
  ): Promise<RawBatchItemResult[]> {
    const body = await this.#call('POST', tenantId, '/api/v1/etl/raw-data/batch', { records });
    // Parsed, not cast: a refused record must be told apart from a stored one.
    return rawBatchResultSchema.parse(body).records;
  }

  /** Whether the backend answers at all (for readiness), outside the breaker. */
  async ping(): Promise<void> {
    const response = await fetch(new URL('/healthz', this.#baseUrl), { signal: AbortSignal.timeout(2000) });
    if (!response.ok) throw new Error(`backend /healthz answered ${response.status}`);
  }

  async #call<T = unknown>(method: 'GET' | 'POST' | 'PUT', tenantId: number, path: string, body?: unknown): Promise<T> {
    return resilientCall(
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
          throw httpErrorFrom({ status: response.status, url: path, headers: response.headers, body: text, source: 'backend' });
        }
        return (text ? JSON.parse(text) : undefined) as T;
      },
    );
  }
}

import { useQuery } from '@tanstack/react-query';
import { get, qs } from './api.ts';
import { useRefetchInterval } from './live.ts';
import type { DeadLetter, Integration, Job, SystemHealth } from './types.ts';

// One hook per API resource. The live channel patches or invalidates these caches;
// while it is down, each refetches at the interval chosen in the header.

export function useHealth() {
  return useQuery({
    queryKey: ['health'],
    queryFn: () => get<SystemHealth>('/api/v1/system/health'),
    refetchInterval: useRefetchInterval(),
  });
}

export function useIntegrations(enabled = true) {
  return useQuery({
    enabled,
    queryKey: ['integrations'],
    queryFn: async () =>
      (await get<{ integrations: Integration[] }>('/api/v1/integrations?limit=200')).integrations,
    refetchInterval: useRefetchInterval(),
  });
}

export interface JobFilter {
  status?: string;
  integration_id?: number | string;
  limit?: number;
}

export function useJobs(filter: JobFilter = {}, enabled = true) {
  return useQuery({
    enabled,
    queryKey: ['jobs', filter],
    queryFn: () => get<{ jobs: Job[] }>(`/api/v1/jobs${qs({ limit: 50, ...filter })}`),
    refetchInterval: useRefetchInterval(),
  });
}

export function useJob(id: number) {
  return useQuery({
    queryKey: ['job', id],
    queryFn: () => get<Job>(`/api/v1/jobs/${id}`),
    refetchInterval: useRefetchInterval(),
  });
}

export interface DeadLetterFilter {
  entity_type?: string;
  reason?: string;
  since?: string;
  until?: string;
  status?: string;
}

export function useDeadLetters(filter: DeadLetterFilter) {
  return useQuery({
    queryKey: ['dead-letters', filter],
    queryFn: async () =>
      (await get<{ dead_letters: DeadLetter[] }>(`/api/v1/dead-letters${qs({ limit: 100, ...filter })}`))
        .dead_letters,
    refetchInterval: useRefetchInterval(),
  });
}

export function useDeadLetter(id: number | null) {
  return useQuery({
    queryKey: ['dead-letter', id],
    queryFn: () => get<DeadLetter>(`/api/v1/dead-letters/${id}`),
    enabled: id !== null,
  });
}

/** Any analytics resource (issue 12's API); their shapes are read defensively by the pages. */
export function useAnalytics<T>(path: string, enabled = true) {
  return useQuery({
    queryKey: ['analytics', path],
    queryFn: () => get<T>(path),
    enabled,
    refetchInterval: useRefetchInterval(),
  });
}

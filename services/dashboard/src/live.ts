import { useSyncExternalStore } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import type { Job, LiveEvent } from './types.ts';

export type LiveMode = 'connecting' | 'live' | 'polling';

/** After this many attempts in a row that never got to `hello`, the dashboard polls instead. */
const FAILURES_BEFORE_POLLING = 3;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15_000];

export const POLL_CHOICES = [
  { ms: 30_000, label: '30 s' },
  { ms: 60_000, label: '1 min' },
  { ms: 300_000, label: '5 min' },
] as const;

function isLiveEvent(value: unknown): value is LiveEvent {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}

/**
 * The WebSocket to `/api/v1/events` and what it does to the query cache. It
 * reconnects with jittered backoff; after repeated failures the mode turns to
 * `polling` (hooks then refetch at the chosen interval) while it keeps trying; on
 * every (re)connect it re-reads all cached state, so nothing said while it was away
 * is missed.
 */
export class LiveChannel {
  #mode: LiveMode = 'connecting';
  #pollMs: number = Number(localStorage.getItem('tributary.pollMs')) || POLL_CHOICES[0].ms;
  #socket: WebSocket | null = null;
  #failures = 0;
  #timer: number | undefined;
  #stopped = true;
  #token: string | null = null;
  readonly #listeners = new Set<() => void>();
  readonly #client: QueryClient;

  constructor(client: QueryClient) {
    this.#client = client;
  }

  get mode(): LiveMode {
    return this.#mode;
  }
  get pollMs(): number {
    return this.#pollMs;
  }

  setPollMs(ms: number): void {
    this.#pollMs = ms;
    localStorage.setItem('tributary.pollMs', String(ms));
    this.#emit();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  start(token: string): void {
    this.stop();
    this.#token = token;
    this.#stopped = false;
    this.#failures = 0;
    this.#setMode('connecting');
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    window.clearTimeout(this.#timer);
    const socket = this.#socket;
    this.#socket = null;
    socket?.close();
  }

  #connect(): void {
    if (this.#stopped || !this.#token) return;
    const url = new URL('/api/v1/events', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    let greeted = false;
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.#failed(false);
      return;
    }
    this.#socket = socket;
    const token = this.#token;
    // The token travels in the first message, not in the URL.
    socket.onopen = () => socket.send(JSON.stringify({ type: 'auth', token }));
    socket.onmessage = (message: MessageEvent<string>) => {
      let event: unknown;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (!isLiveEvent(event)) return;
      if (event.type === 'hello') {
        greeted = true;
        this.#failures = 0;
        this.#setMode('live');
        // Whatever changed while we were away (or before this socket existed) is read again.
        void this.#client.invalidateQueries();
        return;
      }
      this.#apply(event);
    };
    socket.onclose = (close) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      // 4401: the token was refused; retrying will not help, polling (with the same token) shows the truth.
      this.#failed(greeted, close.code === 4401);
    };
  }

  #failed(wasGreeted: boolean, permanent = false): void {
    if (this.#stopped) return;
    if (!wasGreeted) this.#failures += 1;
    if (permanent || this.#failures >= FAILURES_BEFORE_POLLING) {
      if (this.#mode !== 'polling') {
        this.#setMode('polling');
        void this.#client.invalidateQueries();
      }
    } else if (this.#mode === 'live') {
      this.#setMode('connecting');
    }
    if (permanent) return;
    const base = BACKOFF_MS[Math.min(this.#failures, BACKOFF_MS.length - 1)]!;
    this.#timer = window.setTimeout(() => this.#connect(), base / 2 + Math.random() * (base / 2));
  }

  #apply(event: Exclude<LiveEvent, { type: 'hello' }>): void {
    const client = this.#client;
    switch (event.type) {
      case 'job_status':
      case 'progress_update': {
        const job = event.job;
        client.setQueryData(['job', job.id], job);
        client.setQueriesData<{ jobs: Job[] }>({ queryKey: ['jobs'] }, (data) => {
          if (!data) return data;
          if (!data.jobs.some((j) => j.id === job.id)) return data;
          return { jobs: data.jobs.map((j) => (j.id === job.id ? job : j)) };
        });
        if (event.type === 'job_status') {
          // A new job, or one that left or entered a filtered list: the lists are read again.
          void client.invalidateQueries({ queryKey: ['jobs'] });
          void client.invalidateQueries({ queryKey: ['integrations'] });
        }
        break;
      }
      case 'dead_letter':
        void client.invalidateQueries({ queryKey: ['dead-letters'] });
        void client.invalidateQueries({ queryKey: ['dead-letter', event.dead_letter.id] });
        break;
      case 'system_health':
        client.setQueryData(['health'], event.health);
        break;
      case 'resync':
        void client.invalidateQueries();
        break;
    }
  }

  #setMode(mode: LiveMode): void {
    if (this.#mode === mode) return;
    this.#mode = mode;
    this.#emit();
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}

let channel: LiveChannel | null = null;

export function createLiveChannel(client: QueryClient): LiveChannel {
  channel = new LiveChannel(client);
  return channel;
}

function current(): LiveChannel {
  if (!channel) throw new Error('live channel not created');
  return channel;
}

/** The mode and poll interval, re-rendering when they change. */
export function useLive(): { mode: LiveMode; pollMs: number; setPollMs: (ms: number) => void } {
  const live = current();
  const mode = useSyncExternalStore(live.subscribe, () => live.mode);
  const pollMs = useSyncExternalStore(live.subscribe, () => live.pollMs);
  return { mode, pollMs, setPollMs: (ms) => live.setPollMs(ms) };
}

/** What a query's refetchInterval should be: nothing while live, the chosen interval otherwise. */
export function useRefetchInterval(): number | false {
  const { mode, pollMs } = useLive();
  return mode === 'live' ? false : pollMs;
}

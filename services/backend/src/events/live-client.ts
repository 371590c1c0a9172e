import WebSocket from 'ws';
import { rawText } from './events-route.ts';

/**
 * A client of `GET /api/v1/events` for tests (events.test.ts, and tests/scale
 * against real backend processes): it keeps every message it is pushed.
 */
export interface LiveClient {
  messages: { type: string; [key: string]: unknown }[];
  closed: Promise<{ code: number; reason: string }>;
  socket: WebSocket;
  close: () => void;
}

/**
 * Opens the live channel of the backend at `baseUrl` (http://…) and authenticates
 * with `token` in its first message. Resolves once the socket is open and the auth
 * message sent; `hello` follows (wait for it with `eventsOf(client, 'hello')`).
 */
export async function connectLive(baseUrl: string, token: string): Promise<LiveClient> {
  const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/api/v1/events`);
  const messages: LiveClient['messages'] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.on('message', (data) => messages.push(JSON.parse(rawText(data)) as LiveClient['messages'][number]));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'auth', token }));
  return { messages, closed, socket, close: () => socket.close() };
}

/** The messages of one type a client received so far. */
export const eventsOf = (client: LiveClient, type: string) => client.messages.filter((m) => m.type === type);

/** The job_status and progress_update messages about one job a client received so far. */
export const jobEvents = (client: LiveClient, jobId: number) =>
  client.messages.filter(
    (m) =>
      (m.type === 'job_status' || m.type === 'progress_update') && (m.job as { id: number }).id === jobId,
  );

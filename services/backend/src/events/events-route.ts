import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import type { RawData, WebSocket } from 'ws';
import type pg from 'pg';
import { viewerForToken } from './authenticate-socket.ts';
import { authMessageSchema, type LiveEvent } from './event-types.ts';
import type { LiveEvents } from './live-events.ts';

/** A client that does not say who it is within this time is closed. */
const AUTH_TIMEOUT_MS = 10_000;
/** A client that stops reading is closed rather than buffered without end. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const PING_MS = 25_000;

/** Close codes the dashboard reads (4000–4999 are the application's). */
export const CLOSE_CODES = { authFailed: 4401, authTimeout: 4408, slowConsumer: 4429 } as const;

/**
 * `GET /api/v1/events`: the live channel. The token comes in the first message,
 * `{"type":"auth","token":"…"}`, never in the URL (URLs are logged by proxies and
 * kept in browser history). The server answers `hello`, then pushes events of the
 * caller's tenant only.
 */
export async function registerEventsRoute(
  app: FastifyInstance,
  deps: {
    pool: pg.Pool;
    adminToken: string;
    live: LiveEvents;
    /** A revoked token's socket closes within this time. */ recheckMs: number;
  },
): Promise<void> {
  await app.register(websocket, { options: { maxPayload: 4096 } });
  app.get(
    '/api/v1/events',
    { websocket: true, config: { auth: 'public' }, schema: { hide: true } },
    (socket: WebSocket, request) => {
      let unsubscribe: (() => void) | undefined;
      let pinger: NodeJS.Timeout | undefined;
      let recheck: NodeJS.Timeout | undefined;
      const timer = setTimeout(
        () => socket.close(CLOSE_CODES.authTimeout, 'no auth message'),
        AUTH_TIMEOUT_MS,
      );
      const send = (event: LiveEvent) => {
        if (socket.readyState !== socket.OPEN) return;
        if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
          socket.close(CLOSE_CODES.slowConsumer, 'too slow');
          return;
        }
        socket.send(JSON.stringify(event));
      };
      socket.on('close', () => {
        clearTimeout(timer);
        clearInterval(pinger);
        clearInterval(recheck);
        unsubscribe?.();
      });
      socket.once('message', (data) => {
        clearTimeout(timer);
        void (async () => {
          let json: unknown;
          try {
            json = JSON.parse(rawText(data));
          } catch {
            json = undefined;
          }
          const auth = authMessageSchema.safeParse(json);
          if (!auth.success) {
            socket.close(CLOSE_CODES.authFailed, 'first message must be {"type":"auth","token":"…"}');
            return;
          }
          const viewer = await viewerForToken(deps.pool, deps.adminToken, auth.data.token);
          if (!viewer) {
            socket.close(CLOSE_CODES.authFailed, 'token is not valid');
            return;
          }
          // LISTEN before hello: whatever the client reads after hello, later changes reach it.
          await deps.live.ready();
          if (socket.readyState !== socket.OPEN) return;
          unsubscribe = deps.live.hub.add({ viewer, send });
          pinger = setInterval(() => socket.ping(), PING_MS);
          recheck = setInterval(() => {
            viewerForToken(deps.pool, deps.adminToken, auth.data.token).then(
              (now) => {
                if (
                  !now ||
                  now.kind !== viewer.kind ||
                  (now.kind === 'tenant' && viewer.kind === 'tenant' && now.tenantId !== viewer.tenantId)
                ) {
                  socket.close(CLOSE_CODES.authFailed, 'token is no longer valid');
                }
              },
              // The database being away is not a revocation; the next check decides.
              () => undefined,
            );
          }, deps.recheckMs);
          send({
            type: 'hello',
            tenant_id: viewer.kind === 'tenant' ? viewer.tenantId : null,
            admin: viewer.kind === 'admin',
          });
          send({ type: 'system_health', health: await deps.live.healthFor(viewer) });
        })().catch((error: unknown) => {
          request.log.warn({ err: error }, 'live channel setup failed');
          socket.close(1011, 'server error');
        });
      });
    },
  );
}

/** A ws message as text, whichever of its buffer forms it came in. */
export function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

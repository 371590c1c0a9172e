import { existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Where `pnpm --filter @tributary/dashboard build` writes (services/dashboard/dist). */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../../dashboard/dist', import.meta.url));

/**
 * The dashboard's policy: everything from this origin, nothing inline, no framing.
 * `connect-src 'self'` covers the same-origin WebSocket in current browsers; the
 * explicit ws/wss entries are for older ones.
 */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Serves the built dashboard at `/`. Vite names assets by content hash, so they are
 * cached for a year as immutable; index.html is revalidated on every load so a new
 * build is picked up at once. Any other non-API path answers index.html (the
 * dashboard routes in the browser). Without a build, `/` says how to make one.
 */
export async function registerDashboard(app: FastifyInstance, dir: string): Promise<void> {
  const built = existsSync(resolve(dir, 'index.html'));
  const securityHeaders = {
    'content-security-policy': contentSecurityPolicy(),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
  if (built) await app.register(fastifyStatic, { root: dir, serve: false });

  app.get('/*', { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (/^\/(api|internal|docs)(\/|$)/.test(path)) return reply.callNotFound();
    reply.headers(securityHeaders);
    if (!built) {
      return reply
        .status(503)
        .type('text/plain')
        .send(
          'The dashboard is not built. Run `pnpm --filter @tributary/dashboard build` (pnpm start does it).',
        );
    }
    const file = fileIn(dir, path);
    if (path.startsWith('/assets/') && file) {
      return reply.sendFile(path.slice(1), { maxAge: '365d', immutable: true });
    }
    if (/\.[a-z0-9]+$/i.test(path) && path !== '/index.html') {
      // Other files of the build (favicon): cached briefly, they have no hash.
      if (file) return reply.sendFile(path.slice(1), { maxAge: '1h' });
      return reply.callNotFound();
    }
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', { cacheControl: false });
  });
}

/** The file a URL path names inside `dir`, if it exists there (never outside it). */
function fileIn(dir: string, path: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  const root = resolve(dir);
  const file = resolve(root, `.${decoded}`);
  return file.startsWith(root + sep) && existsSync(file) ? file : null;
}

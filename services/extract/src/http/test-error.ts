import { CredentialsRejectedError, HttpError } from '@tributary/resilience';
import { OutboundRefusedError } from './outbound-guard.ts';
import { RedirectRefusedError, ResponseTooLargeError } from './guarded-request.ts';

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 6; depth++) {
    out.push(current);
    current = current.cause;
  }
  return out;
}

/**
 * The connection test's answer to a person: a category (refused by policy, TLS, HTTP status,
 * credentials, too large, unreachable) and only what we wrote ourselves. Socket-level detail
 * (refused vs reset vs timed out vs "not HTTP") stays out: told apart, they make the test a port
 * scanner.
 */
export function connectionTestError(error: unknown): string {
  const errors = chain(error);
  const refused = errors.find((e) => e instanceof OutboundRefusedError || e instanceof RedirectRefusedError);
  if (refused instanceof Error) return `refused by policy: ${refused.message}`;
  const tooLarge = errors.find((e) => e instanceof ResponseTooLargeError);
  if (tooLarge instanceof Error) return `response too large: ${tooLarge.message}`;
  const http = errors.find((e) => e instanceof HttpError);
  if (http instanceof HttpError) {
    // Our own wording, e.g. "credentials rejected by jira".
    if (http instanceof CredentialsRejectedError) return http.message;
    // The connector's own wording (e.g. "github repository x not found, or not visible to this token").
    // Only a plain Error is the connector's own sentence; others (retry give-ups) repeat socket detail.
    const ours = error instanceof Error && error.constructor === Error && error.cause === http ? `: ${error.message}` : '';
    return `HTTP ${http.status} from the source${ours}`;
  }
  const tls = errors.some((e) => {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' && TLS_CODE.test(code);
  });
  if (tls) return 'TLS error: the certificate or TLS handshake of the source was not accepted';
  return 'unreachable: the source did not answer as a Jira or GitHub API';
}

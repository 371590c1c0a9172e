import { CredentialsRejectedError, HttpError } from '@tributary/resilience';
import type { ClassifiedError } from '../errors/classify.ts';
import { OutboundRefusedError } from '@tributary/netguard';
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
    const ours =
      error instanceof Error && error.constructor === Error && error.cause === http
        ? `: ${error.message}`
        : '';
    return `HTTP ${http.status} from the source${ours}`;
  }
  const tls = errors.some((e) => {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' && TLS_CODE.test(code);
  });
  if (tls) return 'TLS error: the certificate or TLS handshake of the source was not accepted';
  return UNREACHABLE;
}

const UNREACHABLE = 'unreachable: the source did not answer as a Jira or GitHub API';

/**
 * The connection test's answer: the classification's code, and a message. The source's own words
 * (classifyError: Jira's `errorMessages`, GitHub's `message`, scrubbed) are kept where they tell a
 * person what to fix: the settings or a configured scope are wrong, or the source answered 4xx
 * about the configuration, the credentials or the quota. Everything else — the outbound policy,
 * the response cap, TLS, the network, 5xx — is told only by category ({@link connectionTestError}):
 * no socket-level detail and no body of a server that is not a working source. Every answer of
 * the "unreachable" category carries the same code, so neither tells a closed port from an open one.
 */
export function connectionTestFailure(
  error: unknown,
  classified: ClassifiedError,
): { error: string; code: ClassifiedError['code'] } {
  const errors = chain(error);
  const policy = errors.some(
    (e) =>
      e instanceof OutboundRefusedError ||
      e instanceof RedirectRefusedError ||
      e instanceof ResponseTooLargeError,
  );
  const http = errors.find((e) => e instanceof HttpError);
  const sourceWords = policy
    ? false
    : http instanceof HttpError
      ? http.status >= 400 && http.status < 500
      : classified.code === 'CONFIG_INVALID';
  if (sourceWords) return { error: classified.message, code: classified.code };
  const message = connectionTestError(error);
  return { error: message, code: message === UNREACHABLE ? 'SOURCE_UNREACHABLE' : classified.code };
}

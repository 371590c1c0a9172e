import { positiveId, UsageError } from './command-line.ts';

/** Usage lines of the operator's security commands (admin token). */
export const SECURITY_USAGE = `  tributary keys rotate
  tributary tenants revoke TENANT_ID --reason TEXT
  tributary tenants rotate-token TENANT_ID --reason TEXT`;

export interface SecurityCommandContext {
  group: string | undefined;
  command: string | undefined;
  rest: readonly string[];
  reason: string | undefined;
  json: boolean;
  call: (method: string, path: string, body?: unknown) => Promise<unknown>;
  out: (line: string) => void;
}

const reasonOf = (reason: string | undefined): string => {
  if (!reason?.trim()) throw new UsageError('--reason TEXT is required (it is kept in the backend log)');
  return reason;
};

/**
 * `keys rotate` and `tenants revoke|rotate-token`: returns the exit code, or undefined when the
 * command is not one of these (the main CLI goes on looking).
 */
export async function runSecurityCommand(ctx: SecurityCommandContext): Promise<number | undefined> {
  const print = (answer: unknown, line: string) => ctx.out(ctx.json ? JSON.stringify(answer, null, 2) : line);
  if (ctx.group === 'keys' && ctx.command === 'rotate') {
    const answer = (await ctx.call('POST', '/api/v1/admin/keys/rotate')) as {
      rotated: number;
      unchanged: number;
      key_id: string;
    };
    print(
      answer,
      `re-encrypted ${answer.rotated} credentials with key ${answer.key_id} (${answer.unchanged} already current)`,
    );
    return 0;
  }
  if (ctx.group === 'tenants' && ctx.command === 'revoke') {
    const id = positiveId(ctx.rest[0], 'TENANT_ID');
    const answer = (await ctx.call('POST', `/api/v1/admin/tenants/${id}/tokens/revoke`, {
      reason: reasonOf(ctx.reason),
    })) as {
      revoked: number;
    };
    print(answer, `revoked ${answer.revoked} token${answer.revoked === 1 ? '' : 's'} of tenant ${id}`);
    return 0;
  }
  if (ctx.group === 'tenants' && ctx.command === 'rotate-token') {
    const id = positiveId(ctx.rest[0], 'TENANT_ID');
    const answer = (await ctx.call('POST', `/api/v1/admin/tenants/${id}/tokens/rotate`, {
      reason: reasonOf(ctx.reason),
    })) as {
      token: string;
      revoked: number;
    };
    // The new token is shown once, like at tenant creation; the old ones stop working now.
    print(
      answer,
      `new token for tenant ${id} (shown once): ${answer.token}\nrevoked ${answer.revoked} old token${answer.revoked === 1 ? '' : 's'}`,
    );
    return 0;
  }
  return undefined;
}

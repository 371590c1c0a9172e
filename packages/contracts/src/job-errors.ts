import { z } from 'zod';

/**
 * Why a job failed, in a word a script can switch on (the message beside it is for a person).
 * CONFIG_INVALID and CREDENTIALS_REJECTED are not retried automatically: the same
 * request gets the same answer until someone changes the integration.
 */
export const JOB_ERROR_CODES = [
  'CONFIG_INVALID',
  'CREDENTIALS_REJECTED',
  'SOURCE_UNREACHABLE',
  'RATE_LIMITED',
  'SOURCE_ERROR',
] as const;
export const jobErrorCodeSchema = z.enum(JOB_ERROR_CODES);
export type JobErrorCode = z.infer<typeof jobErrorCodeSchema>;

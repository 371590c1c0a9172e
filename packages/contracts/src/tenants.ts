import { z } from 'zod';
import { idSchema } from './common.ts';

export const createTenantBodySchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine((value) => !value.includes('\u0000'), { message: 'must not contain NUL characters' }),
});
export type CreateTenantBody = z.infer<typeof createTenantBodySchema>;

export const createdTenantSchema = z.object({
  id: idSchema,
  name: z.string(),
  /** Shown once; only its hash is stored. */
  token: z.string(),
});

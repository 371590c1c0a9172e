import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

const objectSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({ name: z.string() }),
});
export type K8sObject = z.infer<typeof objectSchema>;

/** `kubectl kustomize <dir>` (dir relative to the repository), parsed into its objects. */
export async function render(dir: string): Promise<K8sObject[]> {
  const { stdout } = await run('kubectl', ['kustomize', dir], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${dir}: ${doc.errors[0]!.message}`);
    return objectSchema.parse(doc.toJS());
  });
}

/** `Kind/name`, for messages. */
export const label = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

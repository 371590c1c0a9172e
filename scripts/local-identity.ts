/**
 * The identity of a local `pnpm start` stack, kept in one git-ignored file
 * (`.tributary/local.env`, mode 600) so that a restart reuses the same encryption
 * key and tokens: credentials stored earlier stay decryptable, tokens printed
 * earlier keep working. The file is also a shell snippet (`. .tributary/local.env`)
 * that gives a new terminal the URLs and tokens of the running stack.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** Generated once, reused forever; losing them makes stored credentials unreadable. */
export const SECRET_KEYS = [
  'TRIBUTARY_ENCRYPTION_KEY',
  'TRIBUTARY_ADMIN_TOKEN',
  'TRIBUTARY_SERVICE_TOKEN',
  'TRIBUTARY_EXTRACT_TOKEN',
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

export type LocalEnv = Record<string, string>;

const LINE = /^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)=(.*)$/;

/** Parses the `export NAME='value'` lines this module writes (and plain NAME=value). */
export function parseLocalEnv(text: string): LocalEnv {
  const values: LocalEnv = {};
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    let value = match[2]!.trim();
    if (value.startsWith("'") && value.endsWith("'") && value.length >= 2)
      value = value.slice(1, -1).replaceAll(`'\\''`, "'");
    values[match[1]!] = value;
  }
  return values;
}

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

export function localEnvPath(stateDir: string): string {
  return join(stateDir, 'local.env');
}

export async function readLocalEnv(stateDir: string): Promise<LocalEnv> {
  try {
    return parseLocalEnv(await readFile(localEnvPath(stateDir), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

/** Writes the whole file atomically with mode 600 (it holds the encryption key). */
export async function writeLocalEnv(stateDir: string, values: LocalEnv, comment: string): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const path = localEnvPath(stateDir);
  const body = [
    `# ${comment}`,
    '# Keep it: TRIBUTARY_ENCRYPTION_KEY decrypts the stored credentials. Load it with `. .tributary/local.env`.',
    ...Object.entries(values).map(([name, value]) => `export ${name}=${quote(value)}`),
    '',
  ].join('\n');
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, body, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

const generators: Record<SecretKey, () => string> = {
  TRIBUTARY_ENCRYPTION_KEY: () => randomBytes(32).toString('base64'),
  TRIBUTARY_ADMIN_TOKEN: () => `admin-${randomBytes(16).toString('hex')}`,
  TRIBUTARY_SERVICE_TOKEN: () => `service-${randomBytes(16).toString('hex')}`,
  TRIBUTARY_EXTRACT_TOKEN: () => `extract-${randomBytes(16).toString('hex')}`,
};

/**
 * The secrets for this start: a value set in the environment wins for this run
 * (and is not written, so the file keeps what its credentials were sealed with);
 * otherwise the file's value; otherwise a new one, written to the file.
 */
export function resolveSecrets(
  file: LocalEnv,
  env: NodeJS.ProcessEnv,
): { secrets: Record<SecretKey, string>; generated: SecretKey[] } {
  const generated: SecretKey[] = [];
  const secrets = {} as Record<SecretKey, string>;
  for (const key of SECRET_KEYS) {
    const fromEnv = env[key];
    const fromFile = file[key];
    if (fromEnv) secrets[key] = fromEnv;
    else if (fromFile) secrets[key] = fromFile;
    else {
      secrets[key] = generators[key]();
      generated.push(key);
    }
  }
  return { secrets, generated };
}

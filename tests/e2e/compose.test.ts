/**
 * docker-compose.yml is really validated (`.ci/run` installs Debian's docker-compose when it is
 * missing, so the command exists here): the file passes, and a broken copy is refused — the
 * check can fail.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const config = (file: string) =>
  spawnSync('docker-compose', ['-f', file, 'config', '-q'], { cwd: ROOT, encoding: 'utf8' });

describe('docker-compose.yml', () => {
  it('is valid compose', () => {
    const result = config(join(ROOT, 'docker-compose.yml'));
    expect(result.error).toBeUndefined();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('a broken copy is refused, naming what is wrong', () => {
    const broken = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8').replace(
      /^services:/m,
      'services:\n  bad:\n    ports: not-a-list',
    );
    // Beside the original: the file's relative paths (build contexts) resolve the same way.
    const file = join(ROOT, `.compose-broken-${process.pid}.yml`);
    writeFileSync(file, broken);
    try {
      const result = config(file);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('bad');
    } finally {
      rmSync(file, { force: true });
    }
  });
});

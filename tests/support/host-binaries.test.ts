import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { filesToSkip, HOST_NEEDS, REQUIRE_ENV } from './host-binaries.ts';

const needs = {
  'tests/x/has.test.ts': [process.execPath, 'sh'],
  'tests/x/lacks.test.ts': ['/nonexistent/bin/initdb', ['/nonexistent/a', '/nonexistent/b'], 'sh'],
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('host programs of the fault and scale files', () => {
  it('without the require flag, a file lacking one is left out and the reason printed', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(filesToSkip('tests/x/', {}, needs)).toEqual(['tests/x/lacks.test.ts']);
    expect(warn.mock.calls).toEqual([
      [
        expect.stringContaining(
          'skipping tests/x/lacks.test.ts: this host lacks /nonexistent/bin/initdb, /nonexistent/a or /nonexistent/b',
        ),
      ],
    ]);
  });

  it(`with ${REQUIRE_ENV}=1 (CI), a missing one is a failure naming it`, () => {
    expect(() => filesToSkip('tests/x/', { [REQUIRE_ENV]: '1' }, needs)).toThrow(
      'tests/x/lacks.test.ts needs /nonexistent/bin/initdb, /nonexistent/a or /nonexistent/b',
    );
  });

  it('lists only files that exist', () => {
    expect(Object.keys(HOST_NEEDS).filter((file) => !existsSync(file))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { EnvError, loadSettings } from './env.ts';

describe('loadSettings', () => {
  it('has the documented defaults', () => {
    const s = loadSettings({}, []);
    expect(s.port).toBe(8090);
    expect(s.host).toBe('127.0.0.1');
    expect(s.config).toMatchObject({
      seed: 42,
      jira: { projects: 2, issues: 50 },
      github: { repos: 2, prs: 30 },
      latencyMs: 0,
      faults: [],
    });
    expect(s.config.limits).toMatchObject({
      jira: { limit: 0 },
      github: { limit: 5000, windowSeconds: 3600 },
      burst: null,
    });
  });

  it('reads env and lets CLI flags win', () => {
    const s = loadSettings(
      {
        SIM_SEED: '7',
        SIM_JIRA_ISSUES: '10',
        SIM_RATE_LIMIT: '100',
        SIM_RATE_WINDOW_SECONDS: '60',
        SIM_GITHUB_RATE_LIMIT: '5',
        SIM_FAULTS: '[{"path":"/user","kind":"hang"}]',
      },
      ['--seed', '9', '--issues', '100000', '--prs=20000', '--repos', '3', '--jira-projects', '4'],
    );
    expect(s.config).toMatchObject({
      seed: 9,
      jira: { projects: 4, issues: 100000 },
      github: { repos: 3, prs: 20000 },
    });
    expect(s.config.limits).toMatchObject({
      jira: { limit: 100, windowSeconds: 60 },
      github: { limit: 5, windowSeconds: 60 },
    });
    expect(s.config.faults).toEqual([{ path: '/user', kind: 'hang' }]);
  });

  it('names the bad variable or flag', () => {
    expect(() => loadSettings({ SIM_JIRA_ISSUES: 'many' }, [])).toThrow(/SIM_JIRA_ISSUES \(--issues\)/);
    expect(() => loadSettings({}, ['--prs=-1'])).toThrow(/SIM_GITHUB_PRS/);
    expect(() => loadSettings({ SIM_FAULTS: '{oops' }, [])).toThrow(/SIM_FAULTS/);
    expect(() => loadSettings({ PORT: '70000' }, [])).toThrow(EnvError);
    expect(() => loadSettings({}, ['--bogus', '1'])).toThrow(EnvError);
  });
});

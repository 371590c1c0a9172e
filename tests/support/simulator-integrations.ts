// Integration bodies for the simulator (POST /api/v1/integrations): the credentials it accepts and
// every project or repository it serves, as its truth summary (GET /_sim/truth/summary) lists them.

/** A Jira integration of every project the simulator serves. */
export function simulatorJira(baseUrl: string, truth: { jira: { projects: string[] } }, name = 'Sim Jira') {
  return {
    type: 'jira' as const,
    name,
    base_url: baseUrl,
    credentials: { email: 'sim@example.com', api_token: 'sim-token' },
    config: { projects: truth.jira.projects },
  };
}

/** A GitHub integration of every repository the simulator serves. */
export function simulatorGithub(
  baseUrl: string,
  truth: { github: { repositories: string[] } },
  name = 'Sim GitHub',
) {
  return {
    type: 'github' as const,
    name,
    base_url: baseUrl,
    credentials: { token: 'sim-github-token' },
    config: { repositories: truth.github.repositories },
  };
}

import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, patch, post } from '../api.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { navigate } from '../router.ts';
import type { Integration } from '../types.ts';

function Field({
  id,
  label,
  error,
  children,
  hint,
}: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? <small id={`${id}-hint`}>{hint}</small> : null}
      {error ? (
        <small id={`${id}-error`} className="error-text" role="alert">
          {error}
        </small>
      ) : null}
    </div>
  );
}

/** A labelled text input with its hint and the API's error for it. */
function TextField({
  id,
  label,
  value,
  onChange,
  error,
  hint,
  type,
  autoComplete,
  inputMode,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: string | undefined;
  type?: 'password';
  autoComplete?: 'off';
  inputMode?: 'url';
}) {
  return (
    <Field id={id} label={label} error={error} {...(hint ? { hint } : {})}>
      <input
        id={id}
        type={type}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoComplete={autoComplete}
        inputMode={inputMode}
      />
    </Field>
  );
}

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Create or edit an integration; the API's field-named errors appear under their fields. */
export function IntegrationForm({ existing }: { existing?: Integration }) {
  const client = useQueryClient();
  const [type, setType] = useState<'jira' | 'github'>(existing?.type ?? 'jira');
  const cfg = existing?.config ?? {};
  const [name, setName] = useState(existing?.name ?? '');
  const [baseUrl, setBaseUrl] = useState(existing?.base_url ?? '');
  const [schedule, setSchedule] = useState(existing?.schedule ?? '');
  const [email, setEmail] = useState('');
  const [secret, setSecret] = useState('');
  const [projects, setProjects] = useState(Array.isArray(cfg.projects) ? cfg.projects.join(', ') : '');
  const [jql, setJql] = useState(typeof cfg.jql === 'string' ? cfg.jql : '');
  const [repositories, setRepositories] = useState(
    Array.isArray(cfg.repositories) ? cfg.repositories.join(', ') : '',
  );

  const save = useMutation({
    mutationFn: async () => {
      const config =
        type === 'github'
          ? { repositories: list(repositories) }
          : jql.trim()
            ? { jql: jql.trim() }
            : { projects: list(projects) };
      const credentials = type === 'github' ? { token: secret } : { email, api_token: secret };
      if (existing) {
        const body: Record<string, unknown> = {
          name,
          base_url: baseUrl,
          schedule: schedule.trim() || null,
          config,
        };
        if (secret) body.credentials = credentials;
        return patch<Integration>(`/api/v1/integrations/${existing.id}`, body);
      }
      return post<Integration>('/api/v1/integrations', {
        type,
        name,
        base_url: baseUrl,
        credentials,
        config,
        ...(schedule.trim() ? { schedule: schedule.trim() } : {}),
      });
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['integrations'] });
      navigate('/integrations');
    },
  });
  const err = (path: string) => (save.error instanceof ApiError ? save.error.forField(path) : undefined);
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    save.mutate();
  };

  return (
    <>
      <h1>{existing ? `Edit ${existing.name}` : 'New integration'}</h1>
      <form onSubmit={submit} className="form" noValidate>
        <Field id="type" label="Type">
          <select
            id="type"
            value={type}
            onChange={(e) => setType(e.target.value === 'github' ? 'github' : 'jira')}
            disabled={Boolean(existing)}
          >
            <option value="jira">Jira Cloud</option>
            <option value="github">GitHub</option>
          </select>
        </Field>
        <TextField id="name" label="Name" value={name} onChange={setName} error={err('name')} />
        <TextField
          id="base_url"
          label="Base URL"
          value={baseUrl}
          onChange={setBaseUrl}
          error={err('base_url')}
          hint={type === 'jira' ? 'e.g. https://acme.atlassian.net' : 'e.g. https://api.github.com'}
          inputMode="url"
        />
        {type === 'jira' ? (
          <>
            <TextField
              id="email"
              label="Email"
              value={email}
              onChange={setEmail}
              error={err('credentials.email')}
              hint={existing ? 'Leave empty to keep the stored credentials.' : undefined}
              autoComplete="off"
            />
            <TextField
              id="secret"
              label="API token"
              value={secret}
              onChange={setSecret}
              error={err('credentials.api_token') ?? err('credentials')}
              type="password"
              autoComplete="off"
            />
            <TextField
              id="projects"
              label="Projects"
              value={projects}
              onChange={setProjects}
              error={err('config.projects') ?? err('config')}
              hint="Project keys, comma-separated (or a JQL below)."
            />
            <TextField id="jql" label="JQL" value={jql} onChange={setJql} error={err('config.jql')} />
          </>
        ) : (
          <>
            <TextField
              id="secret"
              label="Access token"
              value={secret}
              onChange={setSecret}
              error={err('credentials.token') ?? err('credentials')}
              hint={existing ? 'Leave empty to keep the stored token.' : undefined}
              type="password"
              autoComplete="off"
            />
            <TextField
              id="repositories"
              label="Repositories"
              value={repositories}
              onChange={setRepositories}
              error={err('config.repositories') ?? err('config')}
              hint="owner/repo, comma-separated."
            />
          </>
        )}
        <TextField
          id="schedule"
          label="Schedule (cron, UTC)"
          value={schedule}
          onChange={setSchedule}
          error={err('schedule')}
          hint="e.g. */30 * * * * — empty for manual runs only."
        />
        <div className="actions">
          <button type="submit" disabled={save.isPending}>
            {existing ? 'Save' : 'Create integration'}
          </button>
          <button type="button" onClick={() => navigate('/integrations')}>
            Back
          </button>
        </div>
        {save.error instanceof ApiError && save.error.details.length > 0 ? null : (
          <ErrorNote error={save.error} />
        )}
        {save.error instanceof ApiError && save.error.details.length > 0 ? (
          <p className="error-text">{save.error.message}</p>
        ) : null}
      </form>
    </>
  );
}

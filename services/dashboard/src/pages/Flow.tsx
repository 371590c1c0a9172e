import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FlowStep, StatusMapping } from '@tributary/contracts';
import { del, patch, post, qs } from '../api.ts';
import { Confirm } from '../components/Confirm.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Table } from '../components/Table.tsx';
import { useAnalytics, useIntegrations } from '../hooks.ts';
import { list, pick, text } from './shapes.ts';

// The flow API belongs to the analytics work (issue 12): /api/v1/flow/steps, /mappings, /unmapped, /auto-map.
// Its wire types are packages/contracts' (imported as types only, so no zod reaches the bundle).
const CATEGORIES = ['todo', 'in_progress', 'done'] as const;

function toStep(raw: Record<string, unknown>): FlowStep {
  return {
    id: Number(raw.id),
    name: text(raw.name),
    position: Number(raw.position ?? 0),
    category: (CATEGORIES as readonly string[]).includes(String(raw.category))
      ? (raw.category as FlowStep['category'])
      : 'todo',
    kind: raw.kind === 'active' || raw.kind === 'waiting' ? raw.kind : null,
    active: raw.active !== false,
  };
}

function toMapping(raw: Record<string, unknown>): StatusMapping {
  return {
    id: Number(raw.id),
    integration_id: Number(raw.integration_id),
    source_status: text(pick(raw, ['source_status', 'status_name', 'status'])),
    issue_type: (pick(raw, ['issue_type']) as string | null | undefined) ?? null,
    flow_step_id: Number(pick(raw, ['flow_step_id', 'step_id'])),
    active: raw.active !== false,
  };
}

function DeleteStep({ step, steps, onDone }: { step: FlowStep; steps: FlowStep[]; onDone: () => void }) {
  const others = steps.filter((s) => s.id !== step.id);
  const [target, setTarget] = useState(others[0]?.id ?? 0);
  const dryRun = useMutation({
    mutationFn: () =>
      del<Record<string, unknown>>(
        `/api/v1/flow/steps/${step.id}${qs({ reassign_to: target, dry_run: 'true' })}`,
      ),
  });
  const remove = useMutation({
    mutationFn: () => del(`/api/v1/flow/steps/${step.id}${qs({ reassign_to: target })}`),
    onSuccess: onDone,
  });
  return (
    <Confirm
      title={`Delete step ${step.name}?`}
      confirmLabel="Yes, delete"
      busy={remove.isPending || !dryRun.data}
      onConfirm={() => remove.mutate()}
      onCancel={onDone}
    >
      <label>
        Reassign its mappings and issues to
        <select value={target} onChange={(e) => setTarget(Number(e.target.value))}>
          {others.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={() => dryRun.mutate()} disabled={dryRun.isPending}>
        Show impact
      </button>
      {dryRun.data ? (
        <div role="status">
          <p>Impact (nothing changed yet):</p>
          <p>
            {text(dryRun.data.mappings_affected, '?')} mappings move to{' '}
            {others.find((o) => o.id === target)?.name ?? 'the chosen step'};{' '}
            {text(dryRun.data.issues_affected, '?')} issues now in this step are counted under it from then
            on.
          </p>
        </div>
      ) : (
        <p className="muted">See the impact before confirming.</p>
      )}
      <ErrorNote error={dryRun.error ?? remove.error} />
    </Confirm>
  );
}

export function Flow() {
  const client = useQueryClient();
  const steps = useAnalytics<unknown>('/api/v1/flow/steps');
  const mappings = useAnalytics<unknown>('/api/v1/flow/mappings');
  const unmapped = useAnalytics<unknown>('/api/v1/flow/unmapped');
  const integrations = useIntegrations();
  const [deleting, setDeleting] = useState<FlowStep | null>(null);
  const [name, setName] = useState('');
  const [category, setCategory] = useState<FlowStep['category']>('in_progress');
  const refresh = () => client.invalidateQueries({ queryKey: ['analytics'] });
  const change = useMutation({
    mutationFn: ({ path, body }: { path: string; body: unknown }) => patch(path, body),
    onSettled: refresh,
  });
  const create = useMutation({
    mutationFn: () =>
      post('/api/v1/flow/steps', {
        name,
        category,
        ...(category === 'in_progress' ? { kind: 'active' } : {}),
      }),
    onSuccess: () => {
      setName('');
      void refresh();
    },
  });
  const autoMap = useMutation({
    mutationFn: () => post<Record<string, unknown>>('/api/v1/flow/auto-map'),
    onSettled: refresh,
  });
  const addMapping = useMutation({
    mutationFn: (body: unknown) => post('/api/v1/flow/mappings', body),
    onSettled: refresh,
  });

  const stepList = list(steps.data, 'steps')
    .map(toStep)
    .sort((a, b) => a.position - b.position);
  const mappingList = list(mappings.data, 'mappings').map(toMapping);
  const unmappedList = list(unmapped.data, 'unmapped', 'statuses');
  const stepName = (id: number) => stepList.find((s) => s.id === id)?.name ?? `step ${id}`;
  const integrationName = (id: number) =>
    integrations.data?.find((i) => i.id === id)?.name ?? `integration ${id}`;
  // Positions are unique and every PATCH is checked for order on its own, so two neighbours of the
  // same category swap through a free position just after the later one (the tail moves up one
  // first when there is none, last step first).
  const swap = useMutation({
    mutationFn: async ({ first, second }: { first: FlowStep; second: FlowStep }) => {
      const after = stepList.filter((s) => s.position > second.position);
      if (after[0]?.position === second.position + 1) {
        for (const s of [...after].reverse())
          await patch(`/api/v1/flow/steps/${s.id}`, { position: s.position + 1 });
      }
      await patch(`/api/v1/flow/steps/${first.id}`, { position: second.position + 1 });
      await patch(`/api/v1/flow/steps/${second.id}`, { position: first.position });
    },
    onSettled: refresh,
  });
  const neighbour = (step: FlowStep, by: -1 | 1) => {
    const other = stepList[stepList.indexOf(step) + by];
    return other && other.category === step.category ? other : undefined;
  };
  const move = (step: FlowStep, by: -1 | 1) => {
    const other = neighbour(step, by);
    if (other) swap.mutate(by === 1 ? { first: step, second: other } : { first: other, second: step });
  };

  return (
    <>
      <div className="title-row">
        <h1>Flow</h1>
        <button type="button" onClick={() => autoMap.mutate()} disabled={autoMap.isPending}>
          Auto-map statuses
        </button>
      </div>
      <ErrorNote error={steps.error ?? autoMap.error ?? change.error ?? swap.error} />
      <p className="muted">
        Every todo step comes before every in progress step, and those before every done step; the arrows swap
        neighbours of one category.
      </p>
      {autoMap.data ? (
        <p role="status">
          Auto-map done: {list(autoMap.data, 'created_steps').length} steps and{' '}
          {list(autoMap.data, 'created_mappings').length} mappings created
          {list(autoMap.data, 'left_unmapped').length > 0
            ? `, ${list(autoMap.data, 'left_unmapped').length} statuses left unmapped (no Jira category)`
            : ''}
          .
        </p>
      ) : null}
      <section aria-labelledby="steps-h">
        <h2 id="steps-h">Steps</h2>
        <Table columns={['Order', 'Step', 'Category', 'Active', { hidden: 'Actions' }]}>
          {stepList.map((step) => (
            <tr key={step.id}>
              <td>
                <button
                  type="button"
                  aria-label={`move ${step.name} up`}
                  disabled={!neighbour(step, -1) || swap.isPending}
                  onClick={() => move(step, -1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  aria-label={`move ${step.name} down`}
                  disabled={!neighbour(step, 1) || swap.isPending}
                  onClick={() => move(step, 1)}
                >
                  ↓
                </button>
              </td>
              <td>{step.name}</td>
              <td>
                <select
                  aria-label={`category of ${step.name}`}
                  value={step.category}
                  onChange={(e) =>
                    change.mutate({
                      path: `/api/v1/flow/steps/${step.id}`,
                      body: { category: e.target.value },
                    })
                  }
                >
                  {CATEGORIES.map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`${step.name} active`}
                  checked={step.active}
                  onChange={(e) =>
                    change.mutate({
                      path: `/api/v1/flow/steps/${step.id}`,
                      body: { active: e.target.checked },
                    })
                  }
                />
              </td>
              <td>
                <button type="button" className="danger" onClick={() => setDeleting(step)}>
                  Delete {step.name}
                </button>
              </td>
            </tr>
          ))}
        </Table>
        <form
          className="filters"
          aria-label="new step"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <label>
            New step
            <input value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label>
            Category
            <select value={category} onChange={(e) => setCategory(e.target.value as FlowStep['category'])}>
              {CATEGORIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={!name.trim()}>
            Add step
          </button>
        </form>
        <ErrorNote error={create.error} />
      </section>
      <section aria-labelledby="mappings-h">
        <h2 id="mappings-h">Status mappings</h2>
        <Table columns={['Integration', 'Source status', 'Issue type', 'Step']}>
          {unmappedList.map((raw, i) => {
            const status = text(pick(raw, ['source_status', 'status_name', 'status', 'name']));
            const integrationId = Number(raw.integration_id);
            return (
              <tr key={`u${i}`} className="unmapped">
                <td>{integrationName(integrationId)}</td>
                <td>
                  {status} <span className="badge warn">unmapped</span>
                </td>
                <td>{typeof raw.issues === 'number' ? `${raw.issues} issues now` : 'any'}</td>
                <td>
                  <select
                    aria-label={`map ${status} to`}
                    defaultValue=""
                    onChange={(e) =>
                      addMapping.mutate({
                        integration_id: integrationId,
                        source_status: status,
                        flow_step_id: Number(e.target.value),
                      })
                    }
                  >
                    <option value="" disabled>
                      choose a step
                    </option>
                    {stepList.map((s) => (
                      <option key={s.id} value={s.id}>
                        {s.name}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            );
          })}
          {mappingList.map((m) => (
            <tr key={m.id}>
              <td>{integrationName(m.integration_id)}</td>
              <td>{m.source_status}</td>
              <td>{m.issue_type ?? 'any'}</td>
              <td>{stepName(m.flow_step_id)}</td>
            </tr>
          ))}
        </Table>
        <ErrorNote error={addMapping.error ?? mappings.error ?? unmapped.error} />
      </section>
      {deleting ? (
        <DeleteStep
          step={deleting}
          steps={stepList}
          onDone={() => {
            setDeleting(null);
            void refresh();
          }}
        />
      ) : null}
    </>
  );
}

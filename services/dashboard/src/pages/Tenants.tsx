import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { post } from '../api.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';

/** Operator view: create a tenant; its token is shown once (only its hash is stored). */
export function Tenants() {
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => post<{ id: number; name: string; token: string }>('/api/v1/tenants', { name }),
  });
  return (
    <>
      <h1>Tenants</h1>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <label>
          Tenant name
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" disabled={!name.trim() || create.isPending}>
          Create tenant
        </button>
      </form>
      <ErrorNote error={create.error} />
      {create.data ? (
        <div role="status" className="card">
          <p>
            Tenant {create.data.name} (id {create.data.id}) created. Its token, shown only now:
          </p>
          <pre className="wrap">{create.data.token}</pre>
        </div>
      ) : null}
    </>
  );
}

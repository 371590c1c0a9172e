import { ApiError } from '../api.ts';

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message =
    error instanceof Error ? error.message : typeof error === 'string' ? error : 'something went wrong';
  const code = error instanceof ApiError ? error.code : null;
  return (
    <p role="alert" className="error">
      {code && code !== 'HTTP_ERROR' ? <strong>{code}: </strong> : null}
      {message}
    </p>
  );
}

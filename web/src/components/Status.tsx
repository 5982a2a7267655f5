import type { ApiError } from '../api';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status">
      {label}
    </p>
  );
}

export function ErrorNote({ error }: { error: ApiError | Error | null }) {
  if (!error) return null;
  const fields = 'problem' in error ? error.problem.errors : undefined;
  return (
    <div className="error" role="alert">
      <p>{error.message}</p>
      {fields && (
        <ul>
          {Object.entries(fields).map(([f, msgs]) => (
            <li key={f}>
              {f}: {msgs.join(' ')}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

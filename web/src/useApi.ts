// useApi(path): a GET's JSON, loading and error, fetched again when the
// path changes (or reload() is called); path null fetches nothing.
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from './api';

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(path: string | null, key: unknown = null): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [gen, setGen] = useState(0);
  useEffect(() => {
    if (path === null) {
      setLoading(false);
      return;
    }
    const ctl = new AbortController();
    setLoading(true);
    setError(null);
    api<T>(path, { signal: ctl.signal })
      .then((d) => {
        setData(d);
        setLoading(false);
      })
      .catch((e) => {
        if (ctl.signal.aborted) return;
        setError(e instanceof ApiError ? e : new ApiError({ status: 0, title: String(e) }));
        setLoading(false);
      });
    return () => ctl.abort();
  }, [path, gen, key]);
  const reload = useCallback(() => setGen((g) => g + 1), []);
  return { data, error, loading, reload };
}

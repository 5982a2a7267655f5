import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../api';
import { ErrorNote, Loading } from '../components/Status';

/** The page the confirmation mail links to (/verify-email?token=...). */
export default function VerifyEmail() {
  const [params] = useSearchParams();
  const token = params.get('token');
  const [state, setState] = useState<'busy' | 'done' | 'failed'>('busy');
  const [error, setError] = useState<Error | null>(null);
  const sent = useRef(false);
  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true; // a token is spent once, even in StrictMode's double effects
    api('/api/users/verify-email/', { json: { token } })
      .then(() => setState('done'))
      .catch((e) => {
        setError(e);
        setState('failed');
      });
  }, [token]);
  return (
    <div className="narrow">
      <h1>Confirm your address</h1>
      {!token && <p>This page needs the link from the mail we sent you.</p>}
      {token && state === 'busy' && <Loading label="Confirming…" />}
      {state === 'done' && (
        <p role="status">
          Your address is confirmed. <Link to="/signin">Sign in</Link>
        </p>
      )}
      <ErrorNote error={error} />
    </div>
  );
}

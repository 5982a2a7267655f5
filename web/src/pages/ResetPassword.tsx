import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../api';
import { ErrorNote } from '../components/Status';

/** Without a token: ask for a reset link.  With one (the mail's link): set a new password. */
export default function ResetPassword() {
  const [params] = useSearchParams();
  const token = params.get('token');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      if (token) await api('/api/users/password-reset/confirm/', { json: { token, new_password: password } });
      else await api('/api/users/password-reset/', { json: { email } });
      setDone(true);
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <div className="narrow">
      <h1>{token ? 'Choose a new password' : 'Reset your password'}</h1>
      {done ? (
        <p role="status">
          {token ? (
            <>
              Your password is changed. <Link to="/signin">Sign in</Link>
            </>
          ) : (
            'If an account has that address, a link to reset its password is on its way.'
          )}
        </p>
      ) : (
        <form className="stack" onSubmit={submit}>
          {token ? (
            <label>
              New password
              <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
            </label>
          ) : (
            <label>
              Email
              <input type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
            </label>
          )}
          <ErrorNote error={error} />
          <button type="submit">{token ? 'Set password' : 'Send me a link'}</button>
        </form>
      )}
    </div>
  );
}

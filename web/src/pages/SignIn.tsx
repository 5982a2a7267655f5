import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { signIn } from '../api';
import { SocialSignIn } from '../components/SocialSignIn';
import { ErrorNote } from '../components/Status';

export default function SignIn() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(login, password);
      navigate(params.get('next') || '/');
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="narrow">
      <h1>Sign in</h1>
      <form className="stack" onSubmit={submit}>
        <label>
          Username or email
          <input name="login" autoComplete="username" value={login} onChange={(e) => setLogin(e.target.value)} required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <SocialSignIn next={params.get('next') || '/'} />
      <p>
        <Link to="/reset-password">Forgot your password?</Link> · New here? <Link to="/signup">Create an account</Link>
      </p>
    </div>
  );
}

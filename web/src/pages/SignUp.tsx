import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api';
import { ErrorNote } from '../components/Status';

export default function SignUp() {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('/api/users/register/', { json: { username, email, password } });
      setDone(true);
    } catch (err) {
      setError(err as Error);
    }
  };
  if (done)
    return (
      <div className="narrow">
        <h1>Check your mail</h1>
        <p role="status">
          Your account <strong>{username}</strong> is made. We sent a link to <strong>{email}</strong>: open it to confirm your
          address, then <Link to="/signin">sign in</Link>.
        </p>
      </div>
    );
  return (
    <div className="narrow">
      <h1>Create an account</h1>
      <form className="stack" onSubmit={submit}>
        <label>
          Username
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label>
          Email
          <input name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={8} />
        </label>
        <ErrorNote error={error} />
        <button type="submit">Sign up</button>
      </form>
      <p>
        Already have an account? <Link to="/signin">Sign in</Link>
      </p>
    </div>
  );
}

// Where a social sign-in ends (/oauth/done?code=&state=, or ?error=): the
// state must be the one this tab sent; the one-time code is then swapped
// for tokens (POST /api/auth/oauth/exchange/), and the member goes on to
// where they were headed.
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { exchangeOAuthCode } from '../api';
import { OAUTH_KEY } from '../components/SocialSignIn';
import { ErrorNote, Loading } from '../components/Status';

export default function OAuthDone() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [error, setError] = useState<Error | null>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    let sent: { state?: string; next?: string } = {};
    try {
      sent = JSON.parse(sessionStorage.getItem(OAUTH_KEY) || '{}');
      sessionStorage.removeItem(OAUTH_KEY);
    } catch {
      /* nothing kept */
    }
    const code = params.get('code');
    if (params.get('error')) return setError(new Error('The sign-in was refused or cancelled at the provider.'));
    if (!code || !sent.state || params.get('state') !== sent.state)
      return setError(new Error('This sign-in was not started here (its state does not match). Please try again.'));
    exchangeOAuthCode(code)
      .then(() => navigate(sent.next && sent.next.startsWith('/') && !sent.next.startsWith('//') ? sent.next : '/', { replace: true }))
      .catch((e) => setError(e as Error));
  }, [params, navigate]);
  return (
    <div className="narrow">
      <h1>Signing in…</h1>
      {error ? (
        <>
          <ErrorNote error={error} />
          <p>
            <Link to="/signin">Back to sign in</Link>
          </p>
        </>
      ) : (
        <Loading label="Finishing the sign-in…" />
      )}
    </div>
  );
}

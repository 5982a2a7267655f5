// Sign-in buttons for the identity providers the API has configured (GET
// /api/auth/oauth/providers/): none configured, none shown.  A click sends
// the browser to the provider through the API's start route with a state
// of our own, kept in sessionStorage; /oauth/done (OAuthDone) checks it
// when the browser comes back with a code.
import { useApi } from '../useApi';

interface Provider {
  name: string;
  display_name: string;
  kind: string;
  start: string;
}

export const OAUTH_KEY = 'marquee.oauth';

function randomState(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function SocialSignIn({ next }: { next: string }) {
  const r = useApi<{ providers: Provider[] }>('/api/auth/oauth/providers/');
  const providers = r.data?.providers ?? [];
  if (!providers.length) return null;
  const go = (p: Provider) => {
    const state = randomState();
    try {
      sessionStorage.setItem(OAUTH_KEY, JSON.stringify({ state, next }));
    } catch {
      /* no storage: the state cannot be checked, so the sign-in fails there */
    }
    const redirect = `${window.location.origin}/oauth/done`;
    window.location.assign(`${p.start}?redirect_uri=${encodeURIComponent(redirect)}&state=${encodeURIComponent(state)}`);
  };
  return (
    <div className="social">
      <p className="hint">Or sign in with</p>
      <div className="action-buttons">
        {providers.map((p) => (
          <button key={p.name} type="button" className="secondary" onClick={() => go(p)}>
            Sign in with {p.display_name}
          </button>
        ))}
      </div>
    </div>
  );
}

import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { useSession } from '../session';
import { Loading } from './Status';

/** Its children for a signed-in user (an administrator with admin), else a way to sign in. */
export function RequireUser({ children, admin }: { children: ReactNode; admin?: boolean }) {
  const { user, ready } = useSession();
  const loc = useLocation();
  if (!ready) return <Loading />;
  if (!user)
    return (
      <div className="narrow">
        <h1>Sign in first</h1>
        <p>
          This page is for signed-in members. <Link to={`/signin?next=${encodeURIComponent(loc.pathname + loc.search)}`}>Sign in</Link>{' '}
          or <Link to="/signup">create an account</Link>.
        </p>
      </div>
    );
  if (admin && user.role !== 'admin')
    return (
      <div className="narrow">
        <h1>Administrators only</h1>
      </div>
    );
  return <>{children}</>;
}

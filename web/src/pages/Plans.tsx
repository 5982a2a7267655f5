// Plans anyone can see; a member subscribes (the gateway's checkout page),
// sees their subscription and can cancel it at the period's end.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, type Page } from '../api';
import { ErrorNote, Loading } from '../components/Status';
import { useSession } from '../session';
import { useApi } from '../useApi';

interface Plan {
  id: number;
  name: string;
  description: string;
  interval: 'month' | 'year';
  price: number;
  currency: string;
  features: string[];
}

interface Subscription {
  status: string;
  current_period_end: string | null;
  cancel_at_period_end: boolean;
  plan: Plan;
}

function money(minor: number, currency: string) {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() }).format(minor / 100);
}

export default function Plans() {
  const { user } = useSession();
  const plans = useApi<Page<Plan>>('/api/plans/');
  const sub = useApi<{ subscription: Subscription | null }>(user ? '/api/subscriptions/' : null, user?.id);
  const [error, setError] = useState<Error | null>(null);
  const current = sub.data?.subscription ?? null;

  const choose = async (plan: Plan) => {
    setError(null);
    try {
      const out = await api<{ checkout_url: string }>('/api/subscriptions/', { json: { plan: plan.id } });
      window.location.assign(out.checkout_url);
    } catch (e) {
      setError(e as Error);
    }
  };
  const cancel = async () => {
    setError(null);
    try {
      await api('/api/subscriptions/', { method: 'DELETE' });
      sub.reload();
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <div>
      <h1>Plans</h1>
      {current && current.status !== 'canceled' && (
        <div className="notice">
          <p>
            You are on <strong>{current.plan.name}</strong> ({current.status})
            {current.current_period_end && `, until ${new Date(current.current_period_end).toLocaleDateString()}`}
            {current.cancel_at_period_end && ' — ends then'}.
          </p>
          {!current.cancel_at_period_end && (
            <button type="button" className="secondary" onClick={cancel}>
              Cancel at the period's end
            </button>
          )}
        </div>
      )}
      <ErrorNote error={error || plans.error} />
      {plans.loading && <Loading />}
      {plans.data?.results.length === 0 && <p>No plans are offered at the moment.</p>}
      <div className="plans">
        {plans.data?.results.map((p) => (
          <article key={p.id} className="plan">
            <h2>{p.name}</h2>
            <p className="price">
              {money(p.price, p.currency)} <span className="hint">/ {p.interval}</span>
            </p>
            {p.description && <p>{p.description}</p>}
            <ul>
              {p.features.map((f) => (
                <li key={f}>{f.replace(/_/g, ' ')}</li>
              ))}
            </ul>
            {user ? (
              !current || current.status === 'canceled' ? (
                <button type="button" onClick={() => choose(p)}>
                  Choose {p.name}
                </button>
              ) : null
            ) : (
              <Link className="button secondary" to="/signin?next=/plans">
                Sign in to subscribe
              </Link>
            )}
          </article>
        ))}
      </div>
    </div>
  );
}

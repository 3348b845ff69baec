/** Sign in with the account name, password and the authenticator's current code. */
import { useState, type FormEvent } from 'react';
import { useSession } from '../api/session.js';
import { loginErrorText } from '../ui/errors.js';

export function LoginPage() {
  const { call, signIn, endedBecause } = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const result = await call('POST /auth/login', { body: { name, password, totp } });
      signIn({ token: result.token, expiresAt: result.expires_at, operator: { id: result.operator.id, name: result.operator.name, roles: result.operator.roles } });
    } catch (e) {
      setError(loginErrorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <h1>OpenWaaS console</h1>
      <form onSubmit={submit} aria-label="Sign in">
        {endedBecause ? <p role="status">{endedBecause}</p> : null}
        <label>
          Account
          <input name="name" autoComplete="username" autoFocus value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        <label>
          Authenticator code
          <input name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" value={totp} onChange={(e) => setTotp(e.target.value)} required />
        </label>
        {error ? <p role="alert">{error}</p> : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

/** The console's frame: the login page until there is a session, then the menu and the page the hash names. */
import { useSession } from './api/session.js';
import { LoginPage } from './pages/login.js';
import { pages } from './pages/registry.js';
import { href, matchPath, useRoute } from './routing.js';

export function App() {
  const { session, signOut, may, call } = useSession();
  const route = useRoute();
  if (!session) return <LoginPage />;

  const visible = pages.filter((p) => may(p.needs));
  const found = visible.map((p) => ({ page: p, params: matchPath(p.pattern, route.path) })).find((m) => m.params !== null);
  const Page = found?.page.component;

  return (
    <div className="frame">
      <header className="topbar">
        <a className="brand" href={href('/')}>
          OpenWaaS
        </a>
        <a className="who" href={href('/account')} aria-current={route.path === '/account' ? 'page' : undefined}>
          {session.operator.name} · {session.operator.roles.join(', ')}
        </a>
        <button
          type="button"
          onClick={() => {
            void call('POST /auth/logout').finally(() => signOut('You signed out.'));
          }}
        >
          Sign out
        </button>
      </header>
      <nav aria-label="Main" className="menu">
        <ul>
          {visible
            .filter((p) => p.menu)
            .map((p) => (
              <li key={p.pattern}>
                <a href={href(p.pattern)} aria-current={matchPath(p.pattern, route.path) ? 'page' : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
        </ul>
      </nav>
      <main className="page">
        {Page && found?.params ? (
          <Page params={found.params} query={route.query} />
        ) : (
          <section>
            <h1>Not found</h1>
            <p>There is no page at {route.path}, or your roles do not allow it.</p>
          </section>
        )}
      </main>
    </div>
  );
}

import { useEffect } from "react";
import { routes } from "./routes";
import { matchPath, navigate, safeNext, useLocation } from "./router";
import { signInPath, useSession } from "./session";
import { SignInScreen } from "../screens/SignInScreen";
import { NotFoundScreen } from "../screens/NotFoundScreen";
import { LeaveDialog } from "./LeaveDialog";

/** Chooses the screen: sign-in while signed out, else the first route matching the path. */
export function App() {
  const session = useSession();
  const location = useLocation();
  const onSignIn = location.pathname === "/signin";

  useEffect(() => {
    if (session.status === "signed-out" && !onSignIn) navigate(signInPath(), { replace: true });
    if (session.status === "signed-in" && onSignIn) {
      navigate(safeNext(new URLSearchParams(location.search).get("next")), { replace: true });
    }
  }, [session.status, onSignIn, location.search]);

  if (session.status === "loading") return <p className="boot muted">Loading Accord…</p>;
  if (session.status === "signed-out" || onSignIn) {
    return <SignInScreen reason={session.status === "signed-out" ? session.reason : null} />;
  }
  let screen = <NotFoundScreen />;
  for (const route of routes) {
    const params = matchPath(route.path, location.pathname);
    if (params) {
      screen = <>{route.render(params)}</>;
      break;
    }
  }
  return (
    <>
      {screen}
      <LeaveDialog />
    </>
  );
}

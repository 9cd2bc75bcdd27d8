import { Layout } from "../app/Layout";
import { Link } from "../app/Link";

export function NotFoundScreen() {
  return (
    <Layout>
      <h1>Nothing here</h1>
      <p>
        This page does not exist. <Link to="/">Go to your projects</Link>.
      </p>
    </Layout>
  );
}

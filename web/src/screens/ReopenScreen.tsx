import { Layout } from "../app/Layout";

export function ReopenScreen(_props: { projectId: number; annotationId?: number }) {
  return <Layout><p>Coming next.</p></Layout>;
}

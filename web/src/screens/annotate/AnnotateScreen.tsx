import { Layout } from "../../app/Layout";

export function AnnotateScreen(_props: { projectId: number; annotationId?: number }) {
  return <Layout><p>Coming next.</p></Layout>;
}

import { useEffect, useState } from "react";
import { api } from "../../api";
import { Layout } from "../../app/Layout";
import { navigate } from "../../app/router";
import { NoAccess } from "../../ui/NoAccess";
import { isHandled, messageOf } from "./errors";

/** `/projects/:id/annotations/:annotation`: opens the annotation's task (the orphan refusal
 * names annotations by id). */
export function AnnotationScreen({ projectId, annotationId }: { projectId: number; annotationId: number }) {
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.annotations.get(annotationId).then(
      (annotation) => live && navigate(`/projects/${projectId}/tasks/${annotation.task_id}#annotation-${annotationId}`, { replace: true }),
      (error: unknown) => live && !isHandled(error) && setFailed(messageOf(error)),
    );
    return () => {
      live = false;
    };
  }, [projectId, annotationId]);
  return (
    <Layout>
      {failed ? (
        <NoAccess title={`Annotation ${annotationId} cannot be shown`}>
          <p>{failed}. It may have been deleted already.</p>
        </NoAccess>
      ) : (
        <p className="muted loading">Opening annotation {annotationId}…</p>
      )}
    </Layout>
  );
}

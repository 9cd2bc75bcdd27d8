import { ConfirmDialog } from "../ui/ConfirmDialog";
import { confirmLeave, stayHere, usePendingLeave } from "./router";

/** Asks before leaving a page with unsaved work (see `useLeaveGuard`). */
export function LeaveDialog() {
  const pending = usePendingLeave();
  if (!pending) return null;
  return (
    <ConfirmDialog title="Leave without saving?" confirmLabel="Leave without saving" cancelLabel="Stay on this page" tone="danger" onConfirm={confirmLeave} onCancel={stayHere}>
      <p>{pending.message}</p>
    </ConfirmDialog>
  );
}

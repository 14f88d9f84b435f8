import ReplayIcon from "@mui/icons-material/Replay";
import { useMutation } from "@tanstack/react-query";
import { Button, useCanAccess, useDataProvider, useNotify, useRecordContext, useRedirect } from "react-admin";
import { useNavigate } from "react-router-dom";

import type { AtriumDataProvider } from "../dataProvider";
import { FINISHED } from "./useWatchRun";

// Retry = start the same process again with the same input (needs the run's `input` from the API).
export const RetryRunButton = () => {
  const record = useRecordContext();
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const notify = useNotify();
  const redirect = useRedirect();
  const navigate = useNavigate();
  const { canAccess } = useCanAccess({ resource: "runs", action: "retry" });
  const retry = useMutation({
    mutationFn: () => dataProvider.startRun(String(record?.process), (record?.input ?? {}) as Record<string, unknown>),
    onSuccess: (run) => redirect("show", "runs", run.workflow_id),
    onError: (error: Error) => notify(error.message, { type: "error" }),
  });
  if (!record || !canAccess || !record.process || !FINISHED.includes(String(record.status))) return null;
  const known = record.input !== undefined && record.input !== null;
  // Without the input, open the start form on the same process so the user gives it again.
  const again = () =>
    known ? retry.mutate() : navigate("/runs/create", { state: { record: { process: record.process } } });
  return (
    <Button
      label="Retry"
      onClick={again}
      disabled={retry.isPending}
      title={known ? "Start again with the same input" : "Open the start form for the same process"}
    >
      <ReplayIcon />
    </Button>
  );
};

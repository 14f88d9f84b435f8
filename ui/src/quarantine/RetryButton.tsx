import ReplayIcon from "@mui/icons-material/Replay";
import { useMutation } from "@tanstack/react-query";
import {
  Button, useCanAccess, useDataProvider, useListContext, useNotify, useRecordContext, useRefresh, useUnselectAll,
} from "react-admin";

import type { AtriumDataProvider } from "../dataProvider";

function useRetry(onDone?: () => void) {
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  return useMutation({
    mutationFn: async (ids: (string | number)[]) => {
      for (const id of ids) await dataProvider.retryQuarantined(id);
      return ids.length;
    },
    onSuccess: (count) => { notify(`${count} record(s) sent for retry`, { type: "success" }); refresh(); onDone?.(); },
    onError: (error: Error) => notify(error.message, { type: "error" }),
  });
}

// Retry after a mapping fix: one record (row/show) ...
export const RetryButton = () => {
  const record = useRecordContext();
  const { canAccess } = useCanAccess({ resource: "quarantine", action: "retry" });
  const retry = useRetry();
  if (!record || !canAccess || record.status === "resolved") return null;
  return (
    <Button label="Retry" disabled={retry.isPending}
      onClick={(e) => { e.stopPropagation(); retry.mutate([record.id]); }}>
      <ReplayIcon />
    </Button>
  );
};

// ... or every selected one.
export const BulkRetryButton = () => {
  const { selectedIds, resource } = useListContext();
  const unselectAll = useUnselectAll(resource ?? "quarantine");
  const { canAccess } = useCanAccess({ resource: "quarantine", action: "retry" });
  const retry = useRetry(() => unselectAll());
  if (!canAccess) return null;
  return (
    <Button label="Retry selected" disabled={retry.isPending} onClick={() => retry.mutate(selectedIds)}>
      <ReplayIcon />
    </Button>
  );
};

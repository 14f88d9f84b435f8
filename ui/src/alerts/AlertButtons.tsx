import CheckIcon from "@mui/icons-material/Check";
import DoneAllIcon from "@mui/icons-material/DoneAll";
import { useMutation } from "@tanstack/react-query";
import { Button, useCanAccess, useDataProvider, useNotify, useRecordContext, useRefresh } from "react-admin";

import type { AtriumDataProvider } from "../dataProvider";

type Action = "acknowledge" | "resolve";

function useAlertAction(action: Action) {
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (id: string | number) =>
      action === "acknowledge" ? dataProvider.acknowledgeAlert(id) : dataProvider.resolveAlert(id),
    onSuccess: () => { notify(action === "acknowledge" ? "Acknowledged" : "Resolved", { type: "success" }); refresh(); },
    onError: (error: Error) => notify(error.message, { type: "error" }),
  });
}

// "I am on it": the alert stays open and still resolves by itself when the condition ends.
export const AcknowledgeButton = () => {
  const record = useRecordContext();
  const { canAccess } = useCanAccess({ resource: "alerts", action: "acknowledge" });
  const ack = useAlertAction("acknowledge");
  if (!record || !canAccess || record.status !== "firing") return null;
  return (
    <Button label="Acknowledge" disabled={ack.isPending} onClick={(e) => { e.stopPropagation(); ack.mutate(record.id); }}>
      <CheckIcon />
    </Button>
  );
};

// Closed by a person: no new alert for the same outage until it has ended once.
export const ResolveButton = () => {
  const record = useRecordContext();
  const { canAccess } = useCanAccess({ resource: "alerts", action: "resolve" });
  const resolve = useAlertAction("resolve");
  if (!record || !canAccess || record.status === "resolved") return null;
  return (
    <Button label="Resolve" disabled={resolve.isPending} onClick={(e) => { e.stopPropagation(); resolve.mutate(record.id); }}>
      <DoneAllIcon />
    </Button>
  );
};

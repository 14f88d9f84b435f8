import SendIcon from "@mui/icons-material/Send";
import { useMutation } from "@tanstack/react-query";
import { Button, useCanAccess, useDataProvider, useNotify, useRecordContext, useRefresh } from "react-admin";

import type { AtriumDataProvider } from "../dataProvider";

export const RedeliverButton = () => {
  const record = useRecordContext();
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const { canAccess } = useCanAccess({ resource: "dead-letters", action: "redeliver" });
  const redeliver = useMutation({
    mutationFn: () => dataProvider.redeliver(record!.id),
    onSuccess: () => { notify("Redelivery started", { type: "success" }); refresh(); },
    onError: (error: Error) => notify(error.message, { type: "error" }),
  });
  if (!record || !canAccess || record.status === "redelivered") return null;
  return (
    <Button label="Redeliver" disabled={redeliver.isPending} onClick={(e) => { e.stopPropagation(); redeliver.mutate(); }}>
      <SendIcon />
    </Button>
  );
};

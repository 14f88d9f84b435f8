import CancelIcon from "@mui/icons-material/Cancel";
import { useMutation } from "@tanstack/react-query";
import { Button, Confirm, useCanAccess, useDataProvider, useNotify, useRecordContext, useRefresh } from "react-admin";
import { useState } from "react";

import type { AtriumDataProvider } from "../dataProvider";

export const CancelRunButton = () => {
  const record = useRecordContext();
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [asking, setAsking] = useState(false);
  const { canAccess } = useCanAccess({ resource: "runs", action: "cancel" });
  const cancel = useMutation({
    mutationFn: () => dataProvider.cancelRun(String(record?.id)),
    onSuccess: () => { notify("Cancellation requested", { type: "info" }); refresh(); },
    onError: (error: Error) => notify(error.message, { type: "error" }),
  });
  if (!record || record.status !== "Running" || !canAccess) return null;
  return (
    <>
      <Button label="Cancel run" onClick={() => setAsking(true)} disabled={cancel.isPending}>
        <CancelIcon />
      </Button>
      <Confirm
        isOpen={asking}
        title="Cancel this run?"
        content="The run stops at its next step; work already done stays done."
        onConfirm={() => { setAsking(false); cancel.mutate(); }}
        onClose={() => setAsking(false)}
      />
    </>
  );
};

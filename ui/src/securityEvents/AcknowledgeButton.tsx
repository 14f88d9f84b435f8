import CheckIcon from "@mui/icons-material/Check";
import { useMutation } from "@tanstack/react-query";
import {
  Button, useCanAccess, useDataProvider, useNotify, useRecordContext, useRefresh, type RaRecord,
} from "react-admin";

import type { AtriumDataProvider } from "../dataProvider";

// "Seen": the event's alerts (security_event rules) resolve; the response it applied stays.
export const AcknowledgeButton = (props: { record?: RaRecord }) => {
  const context = useRecordContext();
  const record = props.record ?? context;
  const { canAccess } = useCanAccess({ resource: "security-events", action: "acknowledge" });
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const ack = useMutation({
    mutationFn: (id: string | number) => dataProvider.acknowledgeSecurityEvent(id),
    onSuccess: () => { notify("Acknowledged", { type: "success" }); refresh(); },
    onError: (error: Error) => notify(error.message, { type: "error" }),
  });
  if (!record || !canAccess || record.acknowledged_at) return null;
  return (
    <Button label="Acknowledge" disabled={ack.isPending} onClick={(e) => { e.stopPropagation(); ack.mutate(record.id); }}>
      <CheckIcon />
    </Button>
  );
};

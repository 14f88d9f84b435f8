import { Chip, Stack, Tooltip } from "@mui/material";
import { Link, useRecordContext } from "react-admin";

import { statusColor } from "../common/StatusChip";
import { intakeOf, usePageIntake } from "./intake";

// The intake status of a delivery's event (queued, running, applied, coalesced, failed) and a link
// to the run that applies it; empty for a delivery the intake never accepted.
export const IntakeStatusField = (_props: { label?: string }) => {
  const record = useRecordContext();
  const events = usePageIntake();
  const event = record ? intakeOf(events, String(record.source), String(record.event_id ?? "")) : undefined;
  if (!event) return null;
  const why =
    event.status === "coalesced"
      ? `its change was written with the later event ${event.coalesced_into_event_id}`
      : event.reason ?? "";
  return (
    <Stack direction="row" spacing={1} alignItems="center" data-testid="intake-status">
      <Tooltip title={why}>
        <Chip size="small" label={event.status} color={statusColor(event.status)} />
      </Tooltip>
      {event.run_workflow_id ? (
        <Link to={`/runs/${encodeURIComponent(event.run_workflow_id)}/show`} onClick={(e: React.MouseEvent) => e.stopPropagation()}>
          run
        </Link>
      ) : null}
    </Stack>
  );
};

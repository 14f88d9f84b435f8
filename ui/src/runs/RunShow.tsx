import OpenInNewIcon from "@mui/icons-material/OpenInNew";
import { Alert, Button } from "@mui/material";
import {
  DateField, Labeled, Show, SimpleShowLayout, TextField, TopToolbar, useRecordContext,
} from "react-admin";

import { JsonBlock } from "../common/JsonBlock";
import { StatusChip } from "../common/StatusChip";
import { Waiting } from "../common/Waiting";
import { CancelRunButton } from "./CancelRunButton";
import { FINISHED } from "./useWatchRun";
import { RetryRunButton } from "./RetryRunButton";

const TemporalLink = () => {
  const record = useRecordContext();
  if (!record?.temporal_ui_url) return null;
  return (
    <Button size="small" href={String(record.temporal_ui_url)} target="_blank" rel="noopener" startIcon={<OpenInNewIcon />}>
      Temporal Web UI
    </Button>
  );
};

const Actions = () => (
  <TopToolbar>
    <TemporalLink />
    <CancelRunButton />
    <RetryRunButton />
  </TopToolbar>
);

const Outcome = () => {
  const record = useRecordContext();
  if (!record) return null;
  const running = !FINISHED.includes(String(record.status));
  return (
    <>
      {record.input !== undefined && <JsonBlock label="Input" value={record.input} />}
      {record.progress !== undefined && record.progress !== null && <JsonBlock label="Progress" value={record.progress} />}
      {running && <Waiting label="Running… (this page follows it)" />}
      {record.failure && <Alert severity="error" sx={{ wordBreak: "break-word" }}>{String(record.failure)}</Alert>}
      {!running && record.result !== undefined && record.result !== null && <JsonBlock label="Result" value={record.result} />}
    </>
  );
};

// Follows the run while it runs: refetched every second until it closes.
export const RunShow = () => (
  <Show
    actions={<Actions />}
    queryOptions={{
      refetchInterval: (query) => {
        const status = (query.state.data as { status?: string } | undefined)?.status;
        return status && FINISHED.includes(status) ? false : 1000;
      },
    }}
  >
    <SimpleShowLayout>
      <TextField source="workflow_id" sx={{ wordBreak: "break-all" }} />
      <TextField source="process" />
      <Labeled label="Status">
        <StatusChip source="status" />
      </Labeled>
      <TextField source="integration" emptyText="—" />
      <DateField source="start_time" showTime />
      <DateField source="close_time" showTime emptyText="—" />
      <Outcome />
    </SimpleShowLayout>
  </Show>
);

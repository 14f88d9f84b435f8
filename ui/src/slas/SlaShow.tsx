import { Box, Chip, Stack, Typography } from "@mui/material";
import { useEffect, useState } from "react";
import { Button, Show, SimpleShowLayout, TextField, TopToolbar, useCanAccess, useNotify, useRecordContext } from "react-admin";

import type { PersonBreach, SlaSample } from "./endpoint";
import { slaCalls } from "./endpoint";

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "-");

// The SLA's status over time (newest first) and, for a person SLA, the people in breach.
const Status = () => {
  const record = useRecordContext();
  const notify = useNotify();
  const [history, setHistory] = useState<SlaSample[]>([]);
  const [breaches, setBreaches] = useState<PersonBreach[] | null>(null);
  const [tick, setTick] = useState(0);
  const { canAccess } = useCanAccess({ resource: "slas", action: "evaluate" });
  useEffect(() => {
    if (!record) return;
    slaCalls.slaHistory(record.id).then(setHistory, () => setHistory([]));
    if (record.kind === "person") slaCalls.slaBreaches(record.id).then(setBreaches, () => setBreaches([]));
  }, [record, tick]);
  if (!record) return null;
  const measure = () =>
    slaCalls.evaluateSla(record.id).then(
      () => setTick((n) => n + 1),
      (err: Error) => notify(err.message, { type: "error" }),
    );
  return (
    <Stack spacing={2} sx={{ mt: 2 }}>
      {canAccess && <Box><Button label="Measure now" onClick={measure} /></Box>}
      {breaches !== null && (
        <Box>
          <Typography variant="h6">People in breach ({breaches.length})</Typography>
          {breaches.map((b) => (
            <Box key={b.source_id} data-testid="breach" sx={{ py: 1, borderBottom: 1, borderColor: "divider", wordBreak: "break-word" }}>
              <Typography variant="subtitle2">
                {b.source_id} <Chip size="small" label={b.state} color={b.state === "open" ? "error" : "warning"} />
              </Typography>
              <Typography variant="body2">missing: {b.missing.join(", ") || "-"}</Typography>
              <Typography variant="body2" color="text.secondary">
                appeared {when(b.appeared_at)}, due {when(b.deadline)}, complete {when(b.met_at)}
              </Typography>
            </Box>
          ))}
        </Box>
      )}
      <Box>
        <Typography variant="h6">History</Typography>
        {history.length === 0 && <Typography variant="body2">Not measured yet.</Typography>}
        {history.map((s) => (
          <Typography key={s.id} variant="body2" data-testid="sample" sx={{ wordBreak: "break-word" }}>
            {when(s.at)}: <strong>{s.status}</strong> {s.detail}
          </Typography>
        ))}
      </Box>
    </Stack>
  );
};

export const SlaShow = () => (
  <Show actions={<TopToolbar />}>
    <SimpleShowLayout>
      <TextField source="name" />
      <TextField source="kind" />
      <TextField source="description" />
      <TextField source="integration" emptyText="-" />
      <Status />
    </SimpleShowLayout>
  </Show>
);

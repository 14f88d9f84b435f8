import { Alert, Box, Button, Card, CardActions, CardContent, Stack, TextField as MuiTextField, Typography } from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import {
  DateField, Show, SimpleShowLayout, TextField, useCanAccess, useDataProvider, useNotify, useRecordContext, useRefresh,
} from "react-admin";

import { StatusChip } from "../common/StatusChip";
import { Waiting } from "../common/Waiting";
import type { AtriumDataProvider } from "../dataProvider";
import { sides } from "./endpoint";

const show = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

// The values side by side (stacked on a phone); keep one, or type the right value.
const Resolve = () => {
  const record = useRecordContext();
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const { canAccess } = useCanAccess({ resource: "conflicts", action: "resolve" });
  const [own, setOwn] = useState("");
  const resolve = useMutation({
    mutationFn: (resolution: { choose?: string; value?: string }) => dataProvider.resolveConflict(record!.id, resolution),
    onSuccess: () => { notify("Conflict resolved; the waiting run applies it", { type: "success" }); refresh(); },
    onError: (error: Error) => notify(error.message, { type: "error" }),
  });
  if (!record) return null;
  const open = record.status === "open";
  return (
    <Box sx={{ width: "100%" }}>
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2} sx={{ my: 2 }} data-testid="conflict-sides">
        {sides(record.values as Record<string, unknown>).map((side) => (
          <Card key={side.system} variant="outlined" sx={{ flex: 1 }}>
            <CardContent>
              <Typography variant="overline">{side.system === "base" ? "last synced (base)" : side.system}</Typography>
              <Typography variant="h6" sx={{ wordBreak: "break-word" }}>{show(side.value)}</Typography>
              {side.at && (
                <Typography variant="caption" color="text.secondary">
                  changed {new Date(side.at).toLocaleString()}
                </Typography>
              )}
            </CardContent>
            {open && canAccess && side.system !== "base" && (
              <CardActions>
                <Button size="small" variant="contained" disabled={resolve.isPending}
                  onClick={() => resolve.mutate({ choose: side.system })}>
                  Keep {side.system}
                </Button>
              </CardActions>
            )}
          </Card>
        ))}
      </Stack>
      {open && canAccess && (
        <Stack direction={{ xs: "column", sm: "row" }} spacing={1} alignItems={{ sm: "center" }}>
          <MuiTextField size="small" label="Or enter the right value" value={own} onChange={(e) => setOwn(e.target.value)} />
          <Button variant="outlined" sx={{ whiteSpace: "nowrap" }} disabled={!own || resolve.isPending} onClick={() => resolve.mutate({ value: own })}>
            Use this value
          </Button>
        </Stack>
      )}
      {resolve.isPending && <Waiting label="Resolving…" />}
      {!open && (
        <Alert severity="success" data-testid="conflict-resolved">
          Resolved{record.resolution ? ` (${record.resolution})` : ""}
          {record.resolved_value != null ? `: ${record.resolved_value}` : ""}
          {record.resolved_by ? ` by ${record.resolved_by}` : ""}
        </Alert>
      )}
    </Box>
  );
};

export const ConflictShow = () => (
  <Show>
    <SimpleShowLayout>
      <TextField source="integration" />
      <TextField source="record_type" />
      <TextField source="source_id" label="Record" />
      <TextField source="field" />
      <StatusChip source="status" label="Status" />
      <DateField source="created_at" showTime />
      <TextField source="workflow_id" label="Waiting run" />
      <Resolve />
    </SimpleShowLayout>
  </Show>
);

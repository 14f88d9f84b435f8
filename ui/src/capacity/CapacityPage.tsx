import { Alert, Box, Button, Stack, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { Datagrid, FunctionField, ListContextProvider, NumberField, SimpleList, TextField, Title, useList } from "react-admin";

import { useIsSmall } from "../common/useIsSmall";
import { Waiting } from "../common/Waiting";
import { AdviceCard } from "./AdviceCard";
import { type CapacityReport, fetchCapacity } from "./endpoint";

const seconds = (value: number | null) => (value === null ? "> 60 s" : `≤ ${value} s`);

function summary(report: CapacityReport): string {
  const slots = report.slots === null ? "" : ` · ${report.slots_used} of ${report.slots} activity slots in use`;
  return `${report.workers} worker${report.workers === 1 ? "" : "s"}${slots} · ${report.runs_last_hour} runs last hour`;
}

// Computed by the API on each visit from Temporal (backlogs, pollers, worker slots) and the
// hourly usage roll-up (runs, outbound waits, 429s); the tables live in memory.
export const CapacityPage = () => {
  const small = useIsSmall();
  const query = useQuery({ queryKey: ["capacity"], queryFn: fetchCapacity });
  const report = query.data;
  const queues = useList({
    data: (report?.queues ?? []).map((q) => ({ ...q, id: `${q.task_queue}/${q.type}` })),
    isPending: query.isPending,
    perPage: 50,
  });
  const connections = useList({
    data: (report?.connections ?? []).map((c) => ({ ...c, id: c.integration })),
    isPending: query.isPending,
    perPage: 50,
  });
  const again = (
    <Button size="small" onClick={() => query.refetch()} disabled={query.isFetching}>
      Read again
    </Button>
  );
  return (
    <Box sx={{ mt: 1 }}>
      <Title title="Capacity" />
      {query.isFetching && <Waiting label="Reading queues, workers and usage…" />}
      {query.error && <Alert severity="warning" action={again}>{query.error.message}</Alert>}
      {report && (
        <Alert severity={report.advice.length ? "warning" : "success"} action={again} data-testid="capacity-summary">
          {report.advice.length ? `${report.advice.length} to act on` : "Enough capacity"}
          {" — "}
          {summary(report)}
          {report.unreadable.length ? ` (could not read: ${report.unreadable.join(", ")})` : ""}
        </Alert>
      )}
      <Stack spacing={1} sx={{ my: 2 }}>
        {report?.advice.map((advice) => (
          <AdviceCard key={`${advice.kind}/${advice.subject}`} advice={advice} />
        ))}
      </Stack>
      <Typography variant="h6">Task queues</Typography>
      <ListContextProvider value={queues}>
        {small ? (
          <SimpleList
            primaryText={(r) => `${r.task_queue} (${r.type})`}
            secondaryText={(r) => `${r.backlog} waiting, oldest ${Math.round(r.oldest_seconds)} s · ${r.pollers} pollers`}
            linkType={false}
            sx={{ "& .MuiListItemText-root": { overflowWrap: "anywhere" } }}
          />
        ) : (
          <Datagrid bulkActionButtons={false} rowClick={false}>
            <TextField source="task_queue" label="Task queue" />
            <TextField source="type" />
            <NumberField source="backlog" />
            <FunctionField label="Oldest waiting" render={(r) => `${Math.round(r.oldest_seconds)} s`} />
            <NumberField source="add_rate" label="Added/s" />
            <NumberField source="dispatch_rate" label="Dispatched/s" />
            <NumberField source="pollers" />
          </Datagrid>
        )}
      </ListContextProvider>
      <Typography variant="h6" sx={{ mt: 2 }}>
        Connections (last 24 h)
      </Typography>
      <ListContextProvider value={connections}>
        {small ? (
          <SimpleList
            primaryText={(r) => r.integration}
            secondaryText={(r) => `${r.calls} calls · ${r.throttled} × 429 · wait p95 ${seconds(r.wait_p95_seconds)}`}
            linkType={false}
            sx={{ "& .MuiListItemText-root": { overflowWrap: "anywhere" } }}
          />
        ) : (
          <Datagrid bulkActionButtons={false} rowClick={false} empty={<Typography variant="body2">No outbound calls recorded.</Typography>}>
            <TextField source="integration" label="Connection" />
            <NumberField source="calls" />
            <NumberField source="throttled" label="429s" />
            <FunctionField label="Wait p95" render={(r) => seconds(r.wait_p95_seconds)} />
          </Datagrid>
        )}
      </ListContextProvider>
    </Box>
  );
};

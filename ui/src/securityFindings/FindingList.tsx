import { Alert, Box, Button, Stack, ToggleButton, ToggleButtonGroup, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Datagrid, ListContextProvider, SimpleList, TextField, Title, useList } from "react-admin";

import { useIsSmall } from "../common/useIsSmall";
import { Waiting } from "../common/Waiting";
import { assess, SEVERITIES, type Severity } from "./endpoint";
import { SeverityChip } from "./SeverityChip";

// The assessment is computed by the API on each visit (`atrium security check` prints the same);
// the list, its severity filter and its pages live in memory.
export const FindingList = () => {
  const small = useIsSmall();
  const [shown, setShown] = useState<Severity[]>(["high", "medium", "low"]);
  const query = useQuery({ queryKey: ["security", "findings"], queryFn: assess });
  const data = (query.data?.items ?? [])
    .filter((f) => shown.includes(f.severity))
    .map((f, index) => ({ ...f, id: index }));
  const list = useList({ data, isPending: query.isPending, perPage: 50 });
  const again = (
    <Button size="small" onClick={() => query.refetch()} disabled={query.isFetching}>
      Assess again
    </Button>
  );
  return (
    <Box sx={{ mt: 1 }}>
      <Title title="Security" />
      {query.isFetching && <Waiting label="Assessing the deployment…" />}
      {query.error && <Alert severity="warning" action={again}>{query.error.message}</Alert>}
      {query.data && (
        <Alert
          severity={query.data.counts.high ? "error" : query.data.counts.medium ? "warning" : "success"}
          action={again}
          data-testid="security-summary"
        >
          {SEVERITIES.map((s) => `${query.data.counts[s]} ${s}`).join(" · ")}
          {" — assessed "}
          {new Date(query.data.assessed_at).toLocaleString()}
        </Alert>
      )}
      <Stack direction="row" sx={{ my: 1, flexWrap: "wrap", gap: 1 }} alignItems="center">
        <Typography variant="body2" color="text.secondary">
          Show
        </Typography>
        <ToggleButtonGroup
          size="small"
          value={shown}
          onChange={(_, value: Severity[]) => setShown(value)}
          aria-label="severities shown"
        >
          {SEVERITIES.map((s) => (
            <ToggleButton key={s} value={s}>
              {s}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
      </Stack>
      <ListContextProvider value={list}>
        {small ? (
          <SimpleList
            primaryText={(r) => r.subject}
            secondaryText={(r) => `${r.detail}. Fix: ${r.fix}`}
            tertiaryText={(r) => <SeverityChip severity={r.severity} />}
            linkType={false}
            sx={{ "& .MuiListItemText-secondary": { whiteSpace: "normal", overflowWrap: "anywhere" } }}
          />
        ) : (
          <Datagrid bulkActionButtons={false} rowClick={false} empty={<Alert severity="success">Nothing to fix.</Alert>}>
            <SeverityChip label="Severity" />
            <TextField source="subject" />
            <TextField source="detail" />
            <TextField source="fix" label="How to fix" />
            <TextField source="kind" />
          </Datagrid>
        )}
      </ListContextProvider>
    </Box>
  );
};

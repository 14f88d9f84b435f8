import { Alert, Box, Typography } from "@mui/material";
import { useGetList, useRecordContext } from "react-admin";

import { ActionGroups } from "../actions/ActionGroups";
import type { Action } from "../actions/endpoint";
import { Waiting } from "../common/Waiting";

// The integration's documentation: the catalog actions its system offers (what Atrium can do to
// it), read from GET /api/v1/actions?system=.
export const IntegrationActions = (_: { label?: false }) => {
  const record = useRecordContext();
  const system = record?.system as string | undefined;
  const { data, isPending, error } = useGetList<Action>(
    "actions",
    { filter: { system }, pagination: { page: 1, perPage: 1000 }, sort: { field: "name", order: "ASC" } },
    { enabled: Boolean(system) },
  );
  if (!system) return null;
  return (
    <Box data-testid="integration-actions" sx={{ minWidth: 0 }}>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        What Atrium can do to this {system} system: each action, its effect, how a repeat is kept
        harmless, and the input it takes.
      </Typography>
      {isPending && <Waiting label="Reading the action catalog…" />}
      {error && <Alert severity="warning">{(error as Error).message}</Alert>}
      {data && data.length === 0 && (
        <Alert severity="info">The catalog has no actions for {system} yet.</Alert>
      )}
      {data && data.length > 0 && <ActionGroups actions={data} headings={false} />}
    </Box>
  );
};

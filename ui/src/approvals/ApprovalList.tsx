import { Alert, Box, Button, Stack, Typography } from "@mui/material";
import { useCallback, useEffect, useState } from "react";
import { Title } from "react-admin";

import { designer, type WaitingDecision } from "../designer/endpoint";
import { DecisionCard } from "./DecisionCard";

const EVERY_MS = 5000;

// The approvals waiting for the signed-in person: steps of designed runs assigned to their role,
// in runs someone else started (GET /process-definitions/decisions), soonest deadline first.
export const ApprovalList = () => {
  const [waiting, setWaiting] = useState<WaitingDecision[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    () =>
      designer.waiting().then(
        (found) => {
          setWaiting(found);
          setError(null);
        },
        (e: Error) => setError(e.message),
      ),
    [],
  );
  useEffect(() => {
    load();
    const timer = setInterval(load, EVERY_MS);
    return () => clearInterval(timer);
  }, [load]);
  return (
    <Box sx={{ p: { xs: 1, sm: 2 } }} data-testid="approvals">
      <Title title="Approvals" />
      <Stack direction="row" sx={{ mb: 2, alignItems: "center" }}>
        <Typography variant="h5" sx={{ flexGrow: 1 }}>Waiting for your decision</Typography>
        <Button onClick={load}>Refresh</Button>
      </Stack>
      {error && <Alert severity="error">{error}</Alert>}
      {waiting === null && !error && <Typography>Loading…</Typography>}
      {waiting?.length === 0 && <Alert severity="success">Nothing waits for you.</Alert>}
      <Stack spacing={2}>
        {waiting?.map((d) => (
          <DecisionCard key={`${d.workflow_id}:${d.step}:${d.iteration}`} decision={d} onDecided={load} />
        ))}
      </Stack>
    </Box>
  );
};

import { Alert, Button } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useDataProvider } from "react-admin";

import { Waiting } from "../common/Waiting";
import type { AtriumDataProvider } from "../dataProvider";

// Whether the hash chain holds: every row's hash and link recomputed by the API.
export const ChainStatus = () => {
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const check = useQuery({ queryKey: ["audit", "verify"], queryFn: () => dataProvider.verifyAudit() });
  const again = <Button size="small" onClick={() => check.refetch()} disabled={check.isFetching}>Verify again</Button>;
  if (check.isFetching) return <Waiting label="Verifying the audit chain…" />;
  if (check.error) return <Alert severity="warning" action={again}>{check.error.message}</Alert>;
  if (!check.data) return null;
  return check.data.ok ? (
    <Alert severity="success" action={again} data-testid="chain-status">
      Chain verified: {check.data.checked} entries, no tampering detected.
    </Alert>
  ) : (
    <Alert severity="error" action={again} data-testid="chain-status">
      Chain BROKEN at entry {check.data.first_broken_id}: {check.data.reason}
    </Alert>
  );
};

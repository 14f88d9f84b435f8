import { Grid } from "@mui/material";
import { Title, useCanAccess } from "react-admin";

import { FAILING } from "../webhookDeliveries/endpoint";
import { CountCard, useCount } from "./CountCard";
import { IntegrationHealth } from "./IntegrationHealth";
import { RecordsSyncedChart } from "./RecordsSyncedChart";
import { RunsChart } from "./RunsChart";

// One screen for "is everything all right": what a role cannot read is left out.
export const Dashboard = () => {
  const integrations = useCanAccess({ resource: "integrations", action: "list" });
  const runs = useCanAccess({ resource: "runs", action: "list" });
  const conflictsOk = useCanAccess({ resource: "conflicts", action: "list" });
  const quarantineOk = useCanAccess({ resource: "quarantine", action: "list" });
  const webhooksOk = useCanAccess({ resource: "webhook-deliveries", action: "list" });
  const deadOk = useCanAccess({ resource: "dead-letters", action: "list" });
  const conflicts = useCount("conflicts", { status: "open" }, Boolean(conflictsOk.canAccess));
  const quarantined = useCount("quarantine", { status: "open" }, Boolean(quarantineOk.canAccess));
  const rejected = useCount("webhook-deliveries", { outcome: FAILING[0] }, Boolean(webhooksOk.canAccess));
  const errored = useCount("webhook-deliveries", { outcome: FAILING[1] }, Boolean(webhooksOk.canAccess));
  const dead = useCount("dead-letters", { status: "dead" }, Boolean(deadOk.canAccess));
  const failingIn = rejected.data == null || errored.data == null ? null : rejected.data + errored.data;
  return (
    <Grid container spacing={2} sx={{ mt: 1 }}>
      <Title title="Atrium" />
      {integrations.canAccess && (
        <Grid size={12}>
          <IntegrationHealth />
        </Grid>
      )}
      {conflictsOk.canAccess && (
        <Grid size={{ xs: 6, md: 3 }}>
          <CountCard testId="open-conflicts" title="Open conflicts" count={conflicts.data} loading={conflicts.isPending} to="/conflicts" bad />
        </Grid>
      )}
      {quarantineOk.canAccess && (
        <Grid size={{ xs: 6, md: 3 }}>
          <CountCard testId="quarantined" title="Quarantined" count={quarantined.data} loading={quarantined.isPending} to="/quarantine" detail="records waiting" bad />
        </Grid>
      )}
      {webhooksOk.canAccess && (
        <Grid size={{ xs: 6, md: 3 }}>
          <CountCard testId="failing-webhooks" title="Failing webhooks" count={failingIn} loading={rejected.isPending || errored.isPending} to="/webhook-deliveries" detail="rejected or errored deliveries" bad />
        </Grid>
      )}
      {deadOk.canAccess && (
        <Grid size={{ xs: 6, md: 3 }}>
          <CountCard testId="dead-letters" title="Dead letters" count={dead.data} loading={dead.isPending} to="/dead-letters" detail="events not delivered out" bad />
        </Grid>
      )}
      {runs.canAccess && (
        <Grid size={{ xs: 12, md: 7 }}>
          <RunsChart />
        </Grid>
      )}
      <Grid size={{ xs: 12, md: 5 }}>
        <RecordsSyncedChart />
      </Grid>
    </Grid>
  );
};

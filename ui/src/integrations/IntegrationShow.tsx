import { Grid } from "@mui/material";
import {
  BooleanField, DateField, DeleteButton, EditButton, Show, SimpleShowLayout, TextField, TopToolbar, UrlField,
} from "react-admin";

import { StatusChip } from "../common/StatusChip";
import { HealthPanel } from "./HealthPanel";
import { SecretPanel } from "./SecretPanel";

const Actions = () => (
  <TopToolbar>
    <EditButton />
    <DeleteButton mutationMode="pessimistic" />
  </TopToolbar>
);

export const IntegrationShow = () => (
  <Show actions={<Actions />}>
    <Grid container spacing={2} sx={{ p: 1 }}>
      <Grid size={{ xs: 12, md: 5 }}>
        <SimpleShowLayout>
          <TextField source="name" />
          <TextField source="system" />
          <UrlField source="base_url" />
          <TextField source="health_path" sx={{ wordBreak: "break-all" }} />
          <TextField source="description" />
          <BooleanField source="enabled" />
          <StatusChip source="status" label="Status" />
          <DateField source="last_checked_at" label="Last health check" showTime emptyText="never" />
          <DateField source="updated_at" showTime />
        </SimpleShowLayout>
      </Grid>
      <Grid size={{ xs: 12, md: 7 }}>
        <SecretPanel />
        <HealthPanel />
      </Grid>
    </Grid>
  </Show>
);

import { Grid } from "@mui/material";
import {
  BooleanField, DateField, DeleteButton, EditButton, Show, SimpleShowLayout, TabbedShowLayout, TextField,
  TopToolbar, UrlField,
} from "react-admin";

import { StatusChip } from "../common/StatusChip";
import { HealthPanel } from "./HealthPanel";
import { IntegrationActions } from "./IntegrationActions";
import { SecretPanel } from "./SecretPanel";

const Actions = () => (
  <TopToolbar>
    <EditButton />
    <DeleteButton mutationMode="pessimistic" />
  </TopToolbar>
);

// `label={false}`: a tab's children are labelled fields unless they say otherwise.
const Overview = (_: { label?: false }) => (
  <Grid container spacing={2}>
    <Grid size={{ xs: 12, md: 5 }}>
      <SimpleShowLayout sx={{ p: 0 }}>
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
);

export const IntegrationShow = () => (
  <Show actions={<Actions />}>
    <TabbedShowLayout>
      <TabbedShowLayout.Tab label="Summary">
        <Overview label={false} />
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="Actions" path="actions">
        <IntegrationActions label={false} />
      </TabbedShowLayout.Tab>
    </TabbedShowLayout>
  </Show>
);

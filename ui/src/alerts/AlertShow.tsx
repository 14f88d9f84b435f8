import { ArrayField, Datagrid, DateField, BooleanField, Show, SimpleShowLayout, TextField, TopToolbar } from "react-admin";

import { StatusChip } from "../common/StatusChip";
import { AcknowledgeButton, ResolveButton } from "./AlertButtons";

export const AlertShow = () => (
  <Show actions={<TopToolbar><AcknowledgeButton /><ResolveButton /></TopToolbar>}>
    <SimpleShowLayout>
      <TextField source="rule_name" label="Rule" />
      <TextField source="group_key" label="What" />
      <TextField source="summary" sx={{ wordBreak: "break-word" }} />
      <StatusChip source="status" label="Status" />
      <DateField source="condition_at" label="Condition since" showTime />
      <DateField source="fired_at" label="Alerted" showTime />
      <DateField source="acknowledged_at" showTime />
      <TextField source="acknowledged_by" />
      <DateField source="resolved_at" showTime />
      <TextField source="resolved_by" />
      <TextField source="note" />
      <ArrayField source="deliveries">
        <Datagrid bulkActionButtons={false} rowClick={false}>
          <TextField source="channel" />
          <TextField source="transition" />
          <BooleanField source="ok" />
          <TextField source="detail" sx={{ wordBreak: "break-word" }} />
          <DateField source="delivered_at" showTime />
        </Datagrid>
      </ArrayField>
    </SimpleShowLayout>
  </Show>
);

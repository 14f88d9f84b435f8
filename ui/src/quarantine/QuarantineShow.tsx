import { DateField, FunctionField, NumberField, Show, SimpleShowLayout, TextField, TopToolbar } from "react-admin";

import { JsonBlock } from "../common/JsonBlock";
import { StatusChip } from "../common/StatusChip";
import { RetryButton } from "./RetryButton";

export const QuarantineShow = () => (
  <Show actions={<TopToolbar><RetryButton /></TopToolbar>}>
    <SimpleShowLayout>
      <TextField source="integration" />
      <TextField source="record_type" />
      <TextField source="source_id" label="Record" />
      <TextField source="stage" />
      <TextField source="reason" sx={{ wordBreak: "break-word" }} />
      <NumberField source="attempts" />
      <StatusChip source="status" label="Status" />
      <TextField source="run_id" label="Run" />
      <DateField source="created_at" showTime />
      <FunctionField label="Record as received" render={(r) => <JsonBlock value={r.payload} />} />
    </SimpleShowLayout>
  </Show>
);

import { Datagrid, DateField, List, NumberField, SelectInput, SimpleList, TextField, TextInput } from "react-admin";

import { StatusChip } from "../common/StatusChip";
import { useIsSmall } from "../common/useIsSmall";
import { BulkRetryButton, RetryButton } from "./RetryButton";

const choices = (values: string[]) => values.map((v) => ({ id: v, name: v }));
const filters = [
  <SelectInput key="status" source="status" choices={choices(["open", "retried", "resolved"])} alwaysOn />,
  <TextInput key="record_type" source="record_type" />,
  <TextInput key="integration" source="integration" />,
];

export const QuarantineList = () => {
  const small = useIsSmall();
  return (
    <List filters={filters} filterDefaultValues={{ status: "open" }} sort={{ field: "created_at", order: "DESC" }} title="Quarantine">
      {small ? (
        <SimpleList
          primaryText={(r) => `${r.record_type} ${r.source_id}`}
          secondaryText={(r) => r.reason}
          tertiaryText={(r) => r.stage}
          linkType="show"
        />
      ) : (
        <Datagrid rowClick="show" bulkActionButtons={<BulkRetryButton />}>
          <TextField source="integration" />
          <TextField source="record_type" />
          <TextField source="source_id" label="Record" />
          <TextField source="stage" />
          <TextField source="reason" sx={{ wordBreak: "break-word" }} />
          <NumberField source="attempts" />
          <StatusChip source="status" label="Status" />
          <DateField source="updated_at" showTime />
          <RetryButton />
        </Datagrid>
      )}
    </List>
  );
};

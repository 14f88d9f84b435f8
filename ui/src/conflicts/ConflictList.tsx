import { Datagrid, DateField, List, SelectInput, SimpleList, TextField, TextInput } from "react-admin";

import { StatusChip } from "../common/StatusChip";
import { useIsSmall } from "../common/useIsSmall";

const filters = [
  <SelectInput key="status" source="status" choices={[{ id: "open", name: "open" }, { id: "resolved", name: "resolved" }]} alwaysOn />,
  <TextInput key="integration" source="integration" />,
];

export const ConflictList = () => {
  const small = useIsSmall();
  return (
    <List filters={filters} filterDefaultValues={{ status: "open" }} sort={{ field: "created_at", order: "DESC" }}>
      {small ? (
        <SimpleList
          primaryText={(r) => `${r.record_type} ${r.source_id}`}
          secondaryText={(r) => `${r.field} · ${r.integration}`}
          tertiaryText={(r) => r.status}
          linkType="show"
        />
      ) : (
        <Datagrid rowClick="show" bulkActionButtons={false}>
          <TextField source="id" />
          <TextField source="integration" />
          <TextField source="record_type" />
          <TextField source="source_id" label="Record" />
          <TextField source="field" />
          <StatusChip source="status" label="Status" />
          <DateField source="created_at" showTime />
        </Datagrid>
      )}
    </List>
  );
};

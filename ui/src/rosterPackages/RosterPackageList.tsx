import { CreateButton, Datagrid, DateField, ExportButton, List, NumberField, SimpleList, TextField, TextInput, TopToolbar } from "react-admin";

import { StatusChip } from "../common/StatusChip";
import { useIsSmall } from "../common/useIsSmall";

const filters = [<TextInput key="source" source="source" label="SIS connection" alwaysOn />];

const Actions = () => (
  <TopToolbar>
    <CreateButton label="Upload a package" />
    <ExportButton />
  </TopToolbar>
);

export const RosterPackageList = () => {
  const small = useIsSmall();
  return (
    <List filters={filters} actions={<Actions />} title="Roster packages">
      {small ? (
        <SimpleList primaryText={(r) => r.name} secondaryText={(r) => r.status} tertiaryText={(r) => r.source} linkType="show" />
      ) : (
        <Datagrid rowClick="show" bulkActionButtons={false}>
          <TextField source="source" label="SIS" />
          <TextField source="name" />
          <TextField source="origin" />
          <TextField source="mode" />
          <NumberField source="problem_count" label="Problems" />
          <StatusChip source="status" label="Status" />
          <DateField source="received_at" showTime />
        </Datagrid>
      )}
    </List>
  );
};

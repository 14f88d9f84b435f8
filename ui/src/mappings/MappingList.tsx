import { CreateButton, Datagrid, DateField, List, NumberField, SimpleList, TextField, TopToolbar } from "react-admin";

import { useIsSmall } from "../common/useIsSmall";

export const MappingList = () => {
  const small = useIsSmall();
  return (
    <List actions={<TopToolbar><CreateButton /></TopToolbar>} sort={{ field: "name", order: "ASC" }}>
      {small ? (
        <SimpleList primaryText={(r) => r.name} secondaryText={(r) => `${r.record_type} · v${r.version}`} linkType="edit" />
      ) : (
        <Datagrid rowClick="edit" bulkActionButtons={false}>
          <TextField source="name" />
          <TextField source="record_type" />
          <NumberField source="version" />
          <TextField source="description" />
          <TextField source="created_by" label="Saved by" />
          <DateField source="created_at" label="Saved" showTime />
        </Datagrid>
      )}
    </List>
  );
};

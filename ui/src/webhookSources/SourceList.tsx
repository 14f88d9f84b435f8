import { BooleanField, CreateButton, Datagrid, DateField, List, NumberField, SimpleList, TextField, TopToolbar } from "react-admin";

import { useIsSmall } from "../common/useIsSmall";

export const SourceList = () => {
  const small = useIsSmall();
  return (
    <List actions={<TopToolbar><CreateButton /></TopToolbar>} title="Webhook sources" sort={{ field: "name", order: "ASC" }}>
      {small ? (
        <SimpleList primaryText={(r) => r.name} secondaryText={(r) => r.scheme} tertiaryText={(r) => (r.enabled ? "on" : "off")} linkType="edit" />
      ) : (
        <Datagrid rowClick="edit" bulkActionButtons={false}>
          <TextField source="name" />
          <TextField source="scheme" />
          <NumberField source="tolerance_seconds" label="Replay window (s)" />
          <TextField source="event_type_path" />
          <TextField source="event_id_path" />
          <BooleanField source="enabled" />
          <DateField source="updated_at" showTime />
        </Datagrid>
      )}
    </List>
  );
};

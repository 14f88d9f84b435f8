import { BooleanField, ChipField, CreateButton, Datagrid, DateField, List, SimpleList, TextField, TextArrayField, TopToolbar } from "react-admin";

import { useIsSmall } from "../common/useIsSmall";

export const SubscriptionList = () => {
  const small = useIsSmall();
  return (
    <List actions={<TopToolbar><CreateButton /></TopToolbar>} title="Event subscriptions">
      {small ? (
        <SimpleList primaryText={(r) => r.url} secondaryText={(r) => (r.event_types ?? []).join(", ")} linkType="edit" />
      ) : (
        <Datagrid rowClick="edit" bulkActionButtons={false}>
          <TextField source="url" sx={{ wordBreak: "break-all" }} />
          <TextArrayField source="event_types"><ChipField source="id" size="small" /></TextArrayField>
          <TextField source="description" />
          <BooleanField source="active" />
          <DateField source="updated_at" showTime />
        </Datagrid>
      )}
    </List>
  );
};

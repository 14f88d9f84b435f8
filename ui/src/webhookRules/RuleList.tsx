import { BooleanField, CreateButton, Datagrid, FunctionField, List, SimpleList, TextField, TextInput, TopToolbar } from "react-admin";

import { useIsSmall } from "../common/useIsSmall";

const filters = [<TextInput key="source" source="source" alwaysOn />];

export const RuleList = () => {
  const small = useIsSmall();
  return (
    <List filters={filters} actions={<TopToolbar><CreateButton /></TopToolbar>} title="Webhook routing rules">
      {small ? (
        <SimpleList primaryText={(r) => `${r.source}: ${r.event_type}`} secondaryText={(r) => `→ ${r.process}`} linkType="edit" />
      ) : (
        <Datagrid rowClick="edit" bulkActionButtons={false}>
          <TextField source="source" />
          <TextField source="event_type" />
          <TextField source="process" label="Starts" />
          <FunctionField label="Input mapping" render={(r) => Object.keys(r.input_mapping ?? {}).join(", ")} />
          <BooleanField source="enabled" />
        </Datagrid>
      )}
    </List>
  );
};

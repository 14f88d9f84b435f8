import {
  BooleanField, CreateButton, Datagrid, DateField, ExportButton, List, SearchInput, SelectInput,
  SimpleList, TextField, TopToolbar,
} from "react-admin";

import { StatusChip } from "../common/StatusChip";
import { useIsSmall } from "../common/useIsSmall";
import { SYSTEMS } from "./endpoint";

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <SelectInput key="system" source="system" choices={SYSTEMS.map((s) => ({ id: s, name: s }))} alwaysOn />,
];

const Actions = () => (
  <TopToolbar>
    <CreateButton />
    <ExportButton />
  </TopToolbar>
);

export const IntegrationList = () => {
  const small = useIsSmall();
  return (
    <List filters={filters} actions={<Actions />} sort={{ field: "name", order: "ASC" }} perPage={25}>
      {small ? (
        <SimpleList
          primaryText={(r) => r.name}
          secondaryText={(r) => `${r.system} · ${r.status}`}
          tertiaryText={(r) => (r.last_checked_at ? new Date(r.last_checked_at).toLocaleTimeString() : "never checked")}
          linkType="show"
        />
      ) : (
        <Datagrid rowClick="show" bulkActionButtons={false}>
          <TextField source="name" />
          <TextField source="system" />
          <StatusChip source="status" label="Status" />
          <DateField source="last_checked_at" label="Last health check" showTime />
          <TextField source="last_health_detail" label="Detail" />
          <BooleanField source="has_secret" label="Secret set" />
          <BooleanField source="enabled" />
        </Datagrid>
      )}
    </List>
  );
};

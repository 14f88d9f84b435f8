import {
  AutocompleteInput, CreateButton, Datagrid, DateField, DateTimeInput, List, Pagination, ReferenceInput,
  SelectInput, SimpleList, TextField, TopToolbar,
} from "react-admin";

import { StatusChip } from "../common/StatusChip";
import { useIsSmall } from "../common/useIsSmall";
import { STATUSES } from "./endpoint";

const filters = [
  <ReferenceInput key="process" source="process" reference="processes" alwaysOn>
    <SelectInput optionText="name" optionValue="name" />
  </ReferenceInput>,
  <SelectInput key="status" source="status" choices={STATUSES.map((s) => ({ id: s, name: s }))} alwaysOn />,
  <ReferenceInput key="integration" source="integration" reference="integrations">
    <AutocompleteInput optionText="name" optionValue="name" />
  </ReferenceInput>,
  <DateTimeInput key="started_after" source="started_after" label="Started after" />,
];

const Actions = () => (
  <TopToolbar>
    <CreateButton label="Start a process" />
  </TopToolbar>
);

export const RunList = () => {
  const small = useIsSmall();
  return (
    <List filters={filters} actions={<Actions />} perPage={25} pagination={<Pagination rowsPerPageOptions={[25, 50, 100]} />} sort={{ field: "start_time", order: "DESC" }}>
      {small ? (
        <SimpleList
          primaryText={(r) => r.process ?? r.workflow_type}
          secondaryText={(r) => `${r.status} · ${r.integration ?? ""}`}
          tertiaryText={(r) => (r.start_time ? new Date(r.start_time).toLocaleTimeString() : "")}
          linkType="show"
        />
      ) : (
        <Datagrid rowClick="show" bulkActionButtons={false}>
          <TextField source="workflow_id" sortable={false} />
          <TextField source="process" sortable={false} />
          <StatusChip source="status" label="Status" />
          <TextField source="integration" sortable={false} />
          <DateField source="start_time" showTime sortable={false} />
          <DateField source="close_time" showTime sortable={false} />
        </Datagrid>
      )}
    </List>
  );
};

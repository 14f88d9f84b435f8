import { Datagrid, DateField, DateTimeInput, List, NumberField, SelectInput, SimpleList, TextField, TextInput } from "react-admin";

import { StatusChip } from "../common/StatusChip";
import { useIsSmall } from "../common/useIsSmall";
import { ChainStatus } from "./ChainStatus";

const filters = [
  <TextInput key="action" source="action" label="Action starts with" alwaysOn />,
  <TextInput key="actor" source="actor" alwaysOn />,
  <SelectInput key="outcome" source="outcome" choices={["success", "denied", "failed"].map((o) => ({ id: o, name: o }))} />,
  <DateTimeInput key="since" source="since" />,
  <DateTimeInput key="until" source="until" />,
];

export const AuditList = () => {
  const small = useIsSmall();
  return (
    <>
      <ChainStatus />
      <List filters={filters} title="Audit log" perPage={50} sort={{ field: "id", order: "DESC" }}>
        {small ? (
          <SimpleList
            primaryText={(r) => r.action}
            secondaryText={(r) => `${r.actor} · ${r.outcome} · ${r.status}`}
            tertiaryText={(r) => new Date(r.at).toLocaleTimeString()}
            linkType={false}
          />
        ) : (
          <Datagrid bulkActionButtons={false} rowClick={false}>
            <NumberField source="id" />
            <DateField source="at" showTime />
            <TextField source="actor" />
            <TextField source="action" />
            <NumberField source="status" />
            <StatusChip source="outcome" label="Outcome" />
            <TextField source="client_ip" label="From" />
            <TextField source="correlation_id" label="Correlation" />
          </Datagrid>
        )}
      </List>
    </>
  );
};

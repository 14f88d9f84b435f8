import { Datagrid, DateField, List, NumberField, SelectInput, SimpleList, TextField, TextInput } from "react-admin";

import { StatusChip } from "../common/StatusChip";
import { useIsSmall } from "../common/useIsSmall";
import { OUTCOMES } from "./endpoint";
import { IntakeStatusField } from "./IntakeStatusField";

const filters = [
  <TextInput key="source" source="source" alwaysOn />,
  <SelectInput key="outcome" source="outcome" choices={OUTCOMES.map((o) => ({ id: o, name: o }))} alwaysOn />,
];

export const DeliveryList = () => {
  const small = useIsSmall();
  return (
    <List filters={filters} title="Recent webhook deliveries" sort={{ field: "received_at", order: "DESC" }}>
      {small ? (
        <SimpleList
          primaryText={(r) => `${r.source}: ${r.event_type ?? "?"}`}
          secondaryText={(r) => `${r.outcome} · ${r.status_code}`}
          tertiaryText={(r) => new Date(r.received_at).toLocaleTimeString()}
          linkType={false}
        />
      ) : (
        <Datagrid bulkActionButtons={false} rowClick={false}>
          <DateField source="received_at" showTime />
          <TextField source="source" />
          <TextField source="event_type" />
          <TextField source="event_id" />
          <StatusChip source="outcome" label="Outcome" />
          <NumberField source="status_code" />
          <TextField source="reason" />
          <IntakeStatusField label="Intake" />
          <TextField source="workflow_id" label="Workflow id" />
          <NumberField source="latency_ms" label="ms" options={{ maximumFractionDigits: 1 }} />
        </Datagrid>
      )}
    </List>
  );
};

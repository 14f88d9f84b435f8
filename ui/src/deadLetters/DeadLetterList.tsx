import { Datagrid, DateField, List, NumberField, SelectInput, SimpleList, TextField } from "react-admin";

import { StatusChip } from "../common/StatusChip";
import { useIsSmall } from "../common/useIsSmall";
import { RedeliverButton } from "./RedeliverButton";

const filters = [
  <SelectInput key="status" source="status" choices={[{ id: "dead", name: "dead" }, { id: "redelivered", name: "redelivered" }]} alwaysOn />,
];

export const DeadLetterList = () => {
  const small = useIsSmall();
  return (
    <List filters={filters} filterDefaultValues={{ status: "dead" }} title="Dead letters">
      {small ? (
        <SimpleList primaryText={(r) => `${r.event_type} ${r.event_id}`} secondaryText={(r) => r.last_error} linkType={false} />
      ) : (
        <Datagrid bulkActionButtons={false} rowClick={false}>
          <TextField source="subscription_id" label="Subscription" />
          <TextField source="event_type" />
          <TextField source="event_id" />
          <NumberField source="attempts" />
          <TextField source="last_error" sx={{ wordBreak: "break-word" }} />
          <StatusChip source="status" label="Status" />
          <DateField source="updated_at" showTime />
          <RedeliverButton />
        </Datagrid>
      )}
    </List>
  );
};

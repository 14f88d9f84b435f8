import { BooleanField, Datagrid, List, NumberField, SimpleList, TextField } from "react-admin";

import { useIsSmall } from "../common/useIsSmall";

type Row = { kind: string; integration?: string | null; targets?: string[]; objective: number; within_hours: number };

// What the SLA promises, in one line: "canvas-main success_rate >= 99" or "3 systems within 24 h".
export const promise = (r: Row) =>
  r.kind === "person"
    ? `${(r.targets ?? []).join(", ")} within ${r.within_hours} h`
    : `${r.integration} ${r.kind} ${r.kind === "success_rate" ? ">=" : "<="} ${r.objective}`;

export const SlaList = () => {
  const small = useIsSmall();
  return (
    <List title="SLAs" exporter={false}>
      {small ? (
        <SimpleList primaryText={(r) => r.name} secondaryText={(r) => promise(r as Row)} linkType="show" />
      ) : (
        <Datagrid rowClick="show" bulkActionButtons={false}>
          <TextField source="name" />
          <TextField source="kind" />
          <TextField source="integration" />
          <NumberField source="objective" />
          <NumberField source="within_hours" />
          <BooleanField source="enabled" />
        </Datagrid>
      )}
    </List>
  );
};

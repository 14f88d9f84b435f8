import { BooleanField, Create, Datagrid, Edit, List, NumberField, SimpleList, TextField } from "react-admin";

import { useIsSmall } from "../common/useIsSmall";
import { AlertRuleForm } from "./AlertRuleForm";

export const AlertRuleList = () => {
  const small = useIsSmall();
  return (
    <List title="Alert rules" exporter={false}>
      {small ? (
        <SimpleList primaryText={(r) => r.name} secondaryText={(r) => `${r.kind} ${r.target}`} tertiaryText={(r) => r.rule_set} linkType="edit" />
      ) : (
        <Datagrid rowClick="edit" bulkActionButtons={false}>
          <TextField source="name" />
          <TextField source="rule_set" />
          <TextField source="kind" />
          <TextField source="target" />
          <TextField source="figure" />
          <NumberField source="threshold" />
          <TextField source="chat" />
          <BooleanField source="enabled" />
        </Datagrid>
      )}
    </List>
  );
};

export const AlertRuleCreate = () => (
  <Create title="New alert rule" redirect="list"><AlertRuleForm creating /></Create>
);

export const AlertRuleEdit = () => (
  <Edit mutationMode="pessimistic" redirect="list"><AlertRuleForm /></Edit>
);

import { BooleanInput, Edit, NumberInput, SelectInput, SimpleForm, TextInput, TopToolbar } from "react-admin";

import { RotateSecretButton } from "./RotateSecretButton";

import { SCHEMES } from "./endpoint";

export const SourceEdit = () => (
  <Edit mutationMode="pessimistic" redirect="list" actions={<TopToolbar><RotateSecretButton /></TopToolbar>}>
    <SimpleForm>
      <TextInput source="name" disabled />
      <SelectInput source="scheme" choices={SCHEMES} />
      <NumberInput source="tolerance_seconds" label="Replay window (s)" min={1} max={86400} />
      <TextInput source="event_type_path" disabled />
      <TextInput source="event_id_path" disabled />
      <TextInput source="description" fullWidth />
      <BooleanInput source="enabled" />
    </SimpleForm>
  </Edit>
);

import { BooleanInput, Create, regex, required, SelectInput, SimpleForm, TextInput } from "react-admin";

import { SYSTEMS } from "./endpoint";

const NAME = regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, . _ - only");
const URL = regex(/^https?:\/\//, "must start with http:// or https://");

// After creating, go to the connection's page to set its secret.
export const IntegrationCreate = () => (
  <Create redirect="show">
    <SimpleForm defaultValues={{ health_path: "/", enabled: true }}>
      <TextInput source="name" validate={[required(), NAME]} helperText="a short id, e.g. canvas-prod" />
      <SelectInput source="system" choices={SYSTEMS.map((s) => ({ id: s, name: s }))} validate={required()} />
      <TextInput source="base_url" validate={[required(), URL]} fullWidth />
      <TextInput source="health_path" validate={required()} fullWidth />
      <TextInput source="description" multiline fullWidth />
      <BooleanInput source="enabled" />
    </SimpleForm>
  </Create>
);

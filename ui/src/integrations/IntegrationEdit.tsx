import { BooleanInput, Edit, regex, required, SimpleForm, TextInput } from "react-admin";

// Name and system identify the connection and do not change; its secret is set from its page.
export const IntegrationEdit = () => (
  <Edit redirect="show" mutationMode="pessimistic">
    <SimpleForm>
      <TextInput source="name" disabled />
      <TextInput source="system" disabled />
      <TextInput source="base_url" validate={[required(), regex(/^https?:\/\//, "must start with http:// or https://")]} fullWidth />
      <TextInput source="health_path" validate={required()} fullWidth />
      <TextInput source="description" multiline fullWidth />
      <BooleanInput source="enabled" />
    </SimpleForm>
  </Edit>
);

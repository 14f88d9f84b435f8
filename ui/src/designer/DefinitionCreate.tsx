import { Create, regex, required, SimpleForm, TextInput } from "react-admin";

// A new designed process: a name and an empty draft, then on to the designer.
export const DefinitionCreate = () => (
  <Create redirect="edit" transform={(data) => ({ ...data, draft: { start: "", steps: [] } })} title="New designed process">
    <SimpleForm>
      <TextInput
        source="name"
        validate={[required(), regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, . _ -")]}
        helperText="lower-case letters, digits, . _ - (the runs' ids carry it)"
      />
      <TextInput source="description" fullWidth />
    </SimpleForm>
  </Create>
);

import { AutocompleteArrayInput, BooleanInput, regex, required, SimpleForm, TextInput } from "react-admin";

import { EVENT_TYPES } from "./endpoint";

export const SubscriptionForm = () => (
  <SimpleForm defaultValues={{ active: true, event_types: [] }}>
    <TextInput source="url" validate={[required(), regex(/^https?:\/\//, "must start with http:// or https://")]} fullWidth />
    <AutocompleteArrayInput source="event_types" choices={EVENT_TYPES.map((e) => ({ id: e, name: e }))} onCreate={(v) => ({ id: v ?? "", name: v ?? "" })} />
    <TextInput source="description" fullWidth />
    <BooleanInput source="active" />
  </SimpleForm>
);

import { AutocompleteArrayInput, BooleanInput, regex, required, SimpleForm, TextInput } from "react-admin";

import { EVENT_TYPES } from "./endpoint";

// "*" is what the API takes for every event type, present and future.
const CHOICES = [{ id: "*", name: "* (every event)" }, ...EVENT_TYPES.map((e) => ({ id: e, name: e }))];

export const SubscriptionForm = () => (
  <SimpleForm defaultValues={{ active: true, event_types: [] }}>
    <TextInput source="url" validate={[required(), regex(/^https?:\/\//, "must start with http:// or https://")]} fullWidth />
    <AutocompleteArrayInput source="event_types" choices={CHOICES} validate={required()} />
    <TextInput source="description" fullWidth />
    <BooleanInput source="active" />
  </SimpleForm>
);

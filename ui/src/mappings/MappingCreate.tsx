import { Create, regex, required, SelectInput, SimpleForm, TextInput } from "react-admin";

import { RECORD_TYPES } from "./endpoint";

import { JsonInput } from "../common/JsonInput";
import { DryRunPanel } from "./DryRunPanel";

const EXAMPLE = { fields: { given_name: "givenName", family_name: "familyName" }, defaults: {}, value_maps: {} };

export const MappingCreate = () => (
  <Create redirect="edit">
    <SimpleForm defaultValues={{ spec: EXAMPLE }}>
      <TextInput source="name" validate={[required(), regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, . _ -")]} />
      <SelectInput source="record_type" choices={RECORD_TYPES.map((t) => ({ id: t, name: t }))} validate={required()} />
      <TextInput source="description" fullWidth />
      <JsonInput source="spec" />
      <DryRunPanel />
    </SimpleForm>
  </Create>
);

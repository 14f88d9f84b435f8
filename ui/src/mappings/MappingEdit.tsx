import { Edit, SimpleForm, TextInput } from "react-admin";

import { JsonInput } from "../common/JsonInput";
import { DryRunPanel } from "./DryRunPanel";
import { VersionHistory } from "./VersionHistory";

// Saving adds a version; the dry run shows what the edited spec does before it is saved.
export const MappingEdit = () => (
  <Edit mutationMode="pessimistic" redirect={false}>
    <SimpleForm>
      <TextInput source="name" disabled />
      <TextInput source="record_type" disabled />
      <TextInput source="description" fullWidth />
      <JsonInput source="spec" helperText="fields (canonical field -> JMESPath), defaults, value_maps" />
      <DryRunPanel />
      <VersionHistory />
    </SimpleForm>
  </Edit>
);

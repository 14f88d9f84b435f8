import { BooleanInput, ReferenceInput, required, SelectInput, SimpleForm, TextInput } from "react-admin";

import { JsonInput } from "../common/JsonInput";

// One form for create and edit: the source and event type identify a rule and are fixed once made.
export const RuleForm = ({ editing = false }: { editing?: boolean }) => (
  <SimpleForm defaultValues={{ input_mapping: {}, enabled: true }}>
    <ReferenceInput source="source" reference="webhook-sources">
      <SelectInput optionText="name" optionValue="name" validate={required()} disabled={editing} />
    </ReferenceInput>
    <TextInput source="event_type" validate={required()} disabled={editing} />
    <ReferenceInput source="process" reference="processes">
      <SelectInput optionText="name" optionValue="name" validate={required()} />
    </ReferenceInput>
    <JsonInput source="input_mapping" helperText="process input field -> JMESPath over the event body" />
    <TextInput source="description" fullWidth />
    <BooleanInput source="enabled" />
  </SimpleForm>
);

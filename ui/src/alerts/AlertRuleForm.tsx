import {
  ArrayInput, BooleanInput, FormDataConsumer, NumberInput, regex, required, SelectInput, SimpleForm,
  SimpleFormIterator, TextInput,
} from "react-admin";

import { FIGURES, MIN_SEVERITIES, RULE_KINDS } from "./endpoint";

const choices = (values: string[]) => values.map((v) => ({ id: v, name: v }));
const NAME = regex(/^[a-z0-9][a-z0-9._-]*$/, "lower case letters, digits, . _ -");

// `creating`: the name and the rule set are chosen once (a rule set is one evaluator workflow).
export const AlertRuleForm = ({ creating = false }: { creating?: boolean }) => (
  <SimpleForm defaultValues={{ rule_set: "default", kind: "health_down", target: "*", enabled: true, publish_event: true, threshold: 1, window_minutes: 60, email_to: [] }}>
    <TextInput source="name" validate={[required(), NAME]} disabled={!creating} fullWidth />
    <TextInput source="rule_set" validate={[required(), NAME]} disabled={!creating} fullWidth />
    <SelectInput source="kind" choices={choices(RULE_KINDS)} validate={required()} />
    <TextInput source="target" helperText="a connection (health), a process (runs, absence), an SLA's name (sla_breach), a security event kind, or *" fullWidth />
    <FormDataConsumer>
      {({ formData }) => formData.kind === "threshold" && (
        <SelectInput source="figure" choices={choices(FIGURES)} validate={required()} />
      )}
    </FormDataConsumer>
    <FormDataConsumer>
      {({ formData }) => formData.kind === "security_event" && (
        <SelectInput source="min_severity" label="Minimum severity" choices={choices(MIN_SEVERITIES)} validate={required()} />
      )}
    </FormDataConsumer>
    <NumberInput source="threshold" min={0} max={1000000} />
    <NumberInput source="window_minutes" min={1} max={10080} />
    <TextInput source="comms_integration" helperText="comms connection that sends email and chat" fullWidth />
    <ArrayInput source="email_to" label="Email to">
      <SimpleFormIterator inline disableReordering>
        <TextInput source="" label="address" type="email" />
      </SimpleFormIterator>
    </ArrayInput>
    <SelectInput source="chat" choices={choices(["slack", "teams"])} emptyText="none" />
    <BooleanInput source="publish_event" label="alert.firing / alert.resolved events" />
    <BooleanInput source="enabled" />
    <TextInput source="description" fullWidth multiline />
  </SimpleForm>
);

import { MenuItem, TextField, Typography } from "@mui/material";
import { useGetList } from "react-admin";

import type { Action } from "../actions/endpoint";
import { inputFields } from "../actions/fields";
import { argumentText, leaves, withArgument } from "./actionInput";
import type { Problem, Step } from "./endpoint";

interface Props {
  step: Step;
  action: Action | undefined;
  problems: Problem[];
  readOnly?: boolean;
  onChange: (step: Step) => void;
}

const messages = (problems: Problem[], ...fields: string[]) =>
  problems.filter((p) => fields.some((f) => p.field === f || p.field.startsWith(`${f}.`))).map((p) => p.message);

// An action step's form, generated from the action's input schema: the connection it acts on
// (one of the inventory's of the action's system), then one field per argument.
export const ActionFields = ({ step, action, problems, readOnly, onChange }: Props) => {
  const system = action?.system ?? String(step.action ?? "").split(".")[0];
  const { data: integrations = [] } = useGetList("integrations", {
    pagination: { page: 1, perPage: 200 },
    sort: { field: "name", order: "ASC" },
    filter: { system },
  });
  const integrationErrors = messages(problems, "integration");
  const actionErrors = messages(problems, "action");
  const fields = leaves(inputFields(action?.input_schema));
  return (
    <>
      <Typography variant="body2" sx={{ mb: 1 }} color={actionErrors.length ? "error" : undefined}>
        <b>{String(step.action)}</b>
        {action ? ` — ${action.summary}` : ""}
        {actionErrors.length ? ` (${actionErrors.join("; ")})` : ""}
      </Typography>
      <TextField
        select
        size="small"
        fullWidth
        label="integration"
        value={(step.integration as string) ?? ""}
        disabled={readOnly}
        error={integrationErrors.length > 0}
        helperText={integrationErrors.join("; ") || `a ${system} connection`}
        onChange={(e) => onChange({ ...step, integration: e.target.value })}
        sx={{ mb: 1.5 }}
      >
        {integrations.map((i) => (
          <MenuItem key={String(i.name)} value={String(i.name)}>{String(i.name)}</MenuItem>
        ))}
      </TextField>
      <Typography variant="subtitle2">Arguments</Typography>
      <Typography variant="caption" color="text.secondary" component="div" sx={{ mb: 1 }}>
        A value, or = and a JMESPath expression over the variables (input, the outputs of earlier steps).
      </Typography>
      {fields.map((field) => {
        const errors = messages(problems, `input.${field.name}`, `bind.${field.name}`);
        return (
          <TextField
            key={field.name}
            size="small"
            fullWidth
            label={field.name}
            value={argumentText(step, field.name)}
            disabled={readOnly}
            error={errors.length > 0}
            helperText={errors.join("; ") || `${field.type}${field.required ? ", required" : ""}${field.description ? ` — ${field.description}` : ""}`}
            onChange={(e) => onChange(withArgument(step, field, e.target.value))}
            slotProps={{ htmlInput: { "data-field": `input.${field.name}` } }}
            sx={{ mb: 1.5 }}
          />
        );
      })}
      {fields.length === 0 && <Typography variant="body2" color="text.secondary">This action takes no arguments.</Typography>}
      <TextField
        size="small"
        fullWidth
        label="output"
        value={(step.output as string) ?? ""}
        disabled={readOnly}
        helperText={messages(problems, "output").join("; ") || "the variable that receives the result"}
        error={messages(problems, "output").length > 0}
        onChange={(e) => onChange({ ...step, output: e.target.value || null })}
        sx={{ mb: 1.5 }}
      />
    </>
  );
};

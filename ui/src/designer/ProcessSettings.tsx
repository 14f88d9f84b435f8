import { MenuItem, TextField, Typography } from "@mui/material";

import type { Definition, Problem } from "./endpoint";
import { jsonText, TextBuffer } from "./TextBuffer";

interface Props {
  definition: Definition;
  description: string;
  problems: Problem[]; // those of the definition as a whole
  readOnly?: boolean;
  onChange: (definition: Definition) => void;
  onDescription: (description: string) => void;
}

const errorsOf = (problems: Problem[], field: string) =>
  problems.filter((p) => p.field === field || p.field.startsWith(`${field}.`)).map((p) => p.message);

// With no step selected: what the process takes (its inputs), where it starts, its initial
// variables, and what is wrong with it as a whole.
export const ProcessSettings = ({ definition, description, problems, readOnly, onChange, onDescription }: Props) => (
  <div data-testid="process-settings" style={{ padding: 8 }}>
    <Typography variant="overline">The process</Typography>
    <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
      Select a step to edit it, or add one from the palette.
    </Typography>
    <TextField size="small" fullWidth label="description" value={description} disabled={readOnly} onChange={(e) => onDescription(e.target.value)} sx={{ mb: 1.5 }} />
    <TextField
      select
      size="small"
      fullWidth
      label="start"
      value={definition.steps.some((s) => s.id === definition.start) ? definition.start : ""}
      disabled={readOnly}
      error={errorsOf(problems, "start").length > 0}
      helperText={errorsOf(problems, "start").join("; ") || "the first step"}
      onChange={(e) => onChange({ ...definition, start: e.target.value })}
      sx={{ mb: 1.5 }}
    >
      {definition.steps.map((s) => <MenuItem key={s.id} value={s.id}>{s.id}</MenuItem>)}
    </TextField>
    <TextBuffer
      size="small"
      fullWidth
      multiline
      minRows={3}
      label="inputs"
      disabled={readOnly}
      value={definition.inputs ?? {}}
      {...jsonText}
      onValue={(inputs) => onChange({ ...definition, inputs: (inputs as Definition["inputs"]) ?? {} })}
      error={errorsOf(problems, "inputs").length > 0}
      helperText={errorsOf(problems, "inputs").join("; ") || 'the run\'s input fields: {"students": {"type": "array"}}'}
      slotProps={{ htmlInput: { "data-field": "inputs" } }}
      sx={{ mb: 1.5, "& textarea": { fontFamily: "monospace", fontSize: 13 } }}
    />
    <TextBuffer
      size="small"
      fullWidth
      multiline
      minRows={2}
      label="variables"
      disabled={readOnly}
      value={definition.variables ?? {}}
      {...jsonText}
      onValue={(variables) => onChange({ ...definition, variables: (variables as Record<string, unknown>) ?? {} })}
      helperText={errorsOf(problems, "variables").join("; ") || "initial variables"}
      sx={{ mb: 1.5, "& textarea": { fontFamily: "monospace", fontSize: 13 } }}
    />
    {problems
      .filter((p) => !["start", "inputs", "variables"].some((f) => p.field.startsWith(f)))
      .map((p, i) => (
        <Typography key={i} variant="body2" color="error">⚠ {p.field}: {p.message}</Typography>
      ))}
  </div>
);

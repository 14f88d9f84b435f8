import { FormControlLabel, MenuItem, Switch, TextField } from "@mui/material";

import type { JsonSchema } from "../processes/endpoint";
import type { Problem } from "./endpoint";
import { concrete, kindOf } from "./schema";
import { jsonText, listText, pairsText, TextBuffer } from "./TextBuffer";

interface Props {
  name: string; // the field, as the definition names it (and the API's problems do)
  property: JsonSchema;
  root: JsonSchema;
  value: unknown;
  stepIds: string[]; // the other steps a route may name
  problems: Problem[];
  readOnly?: boolean;
  onChange: (value: unknown) => void;
}

const NONE = "";

// One field of a step, its input chosen from the definition's JSON Schema: a route picks another
// step, an enum a value, a map of expressions is edited as "name = expression" lines.
export const SchemaField = ({ name, property, root, value, stepIds, problems, readOnly, onChange }: Props) => {
  const { schema, nullable } = concrete(property, root);
  const kind = kindOf(property, root);
  const mine = problems.filter((p) => p.field === name || p.field.startsWith(`${name}.`) || p.field.startsWith(`${name}[`));
  const error = mine.length > 0;
  const helperText = mine.map((p) => p.message).join("; ") || schema.description;
  const common = {
    label: name,
    size: "small" as const,
    fullWidth: true,
    error,
    helperText,
    disabled: readOnly,
    slotProps: { htmlInput: { "data-field": name } },
    sx: { mb: 1.5 },
  };
  switch (kind.kind) {
    case "fixed":
      return null;
    case "step":
      return (
        <TextField {...common} select value={(value as string) ?? NONE} onChange={(e) => onChange(e.target.value || null)}>
          <MenuItem value={NONE}><em>{nullable ? "none" : "choose a step"}</em></MenuItem>
          {stepIds.map((id) => <MenuItem key={id} value={id}>{id}</MenuItem>)}
        </TextField>
      );
    case "choice":
      return (
        <TextField {...common} select value={(value as string) ?? (schema.default as string) ?? NONE} onChange={(e) => onChange(e.target.value || null)}>
          {nullable && <MenuItem value={NONE}><em>none</em></MenuItem>}
          {kind.choices.map((c) => <MenuItem key={c} value={c}>{c}</MenuItem>)}
        </TextField>
      );
    case "number":
      return (
        <TextField
          {...common}
          type="number"
          value={value ?? ""}
          placeholder={schema.default !== undefined ? String(schema.default) : undefined}
          onChange={(e) => onChange(e.target.value === "" ? null : Number(e.target.value))}
        />
      );
    case "boolean":
      return (
        <FormControlLabel
          label={name}
          disabled={readOnly}
          control={<Switch checked={Boolean(value ?? schema.default)} onChange={(e) => onChange(e.target.checked)} />}
        />
      );
    case "text":
      return (
        <TextField
          {...common}
          multiline={kind.long}
          minRows={kind.long ? 2 : undefined}
          value={(value as string) ?? ""}
          onChange={(e) => onChange(e.target.value === "" && nullable ? null : e.target.value)}
        />
      );
    case "steps":
    case "list":
      return <TextBuffer {...common} value={value} {...listText} onValue={onChange} helperText={helperText ?? "comma-separated"} />;
    case "pairs":
      return (
        <TextBuffer
          {...common}
          multiline
          minRows={2}
          value={value}
          {...pairsText}
          onValue={onChange}
          helperText={mine.length ? helperText : "one per line: name = JMESPath expression"}
        />
      );
    default:
      return (
        <TextBuffer
          {...common}
          multiline
          minRows={2}
          value={value}
          {...jsonText}
          onValue={onChange}
          sx={{ mb: 1.5, "& textarea": { fontFamily: "monospace", fontSize: 13 } }}
        />
      );
  }
};

import DeleteIcon from "@mui/icons-material/Delete";
import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import { Accordion, AccordionDetails, AccordionSummary, Box, Button, Stack, TextField, Typography } from "@mui/material";
import { useEffect, useState } from "react";

import type { Action } from "../actions/endpoint";
import type { JsonSchema } from "../processes/endpoint";
import { ActionFields } from "./ActionFields";
import type { Problem, Step } from "./endpoint";
import { COMMON_OTHER, COMMON_ROUTES, HEADER } from "./schema";
import { SchemaField } from "./SchemaField";
import { typeOf } from "./stepTypes";

interface Props {
  step: Step;
  schema: JsonSchema; // the whole definition schema
  stepIds: string[];
  problems: Problem[];
  action?: Action;
  isStart: boolean;
  readOnly?: boolean;
  onChange: (step: Step) => void;
  onRename: (id: string) => void;
  onDelete: () => void;
  onMakeStart: () => void;
  onClose: () => void;
}

// The selected step's form: its id and name, its own fields (an action's from the action's input
// schema, the others' from the definition schema), its routes, then retry and timeout.
export const StepForm = ({ step, schema, stepIds, problems, action, isStart, readOnly, onChange, onRename, onDelete, onMakeStart, onClose }: Props) => {
  const kind = typeOf(step.type);
  const model = schema.$defs?.[kind.schema];
  const properties = model?.properties ?? {};
  const [id, setId] = useState(step.id);
  useEffect(() => setId(step.id), [step.id]);
  const others = stepIds.filter((s) => s !== step.id);
  const own = Object.keys(properties).filter(
    (f) => !HEADER.includes(f) && !COMMON_ROUTES.includes(f) && !COMMON_OTHER.includes(f),
  );
  const field = (name: string) =>
    properties[name] && (
      <SchemaField
        key={name}
        name={name}
        property={properties[name]}
        root={schema}
        value={step[name]}
        stepIds={others}
        problems={problems}
        readOnly={readOnly}
        onChange={(value) => onChange({ ...step, [name]: value })}
      />
    );
  const idErrors = problems.filter((p) => p.field === "id" || p.field === "type");
  const rename = () => id !== step.id && onRename(id);
  return (
    <Box data-testid="step-form" sx={{ p: 1 }}>
      <Stack direction="row" sx={{ alignItems: "center" }}>
        <Typography variant="overline" sx={{ color: kind.color, flexGrow: 1 }}>{kind.label} step</Typography>
        <Button size="small" onClick={onClose}>Done</Button>
      </Stack>
      {model?.description && <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>{model.description}</Typography>}
      <TextField
        size="small"
        fullWidth
        label="id"
        value={id}
        disabled={readOnly}
        error={idErrors.length > 0}
        helperText={idErrors.map((p) => p.message).join("; ") || "lower-case letters, digits and _"}
        onChange={(e) => setId(e.target.value)}
        onBlur={rename}
        onKeyDown={(e) => e.key === "Enter" && rename()}
        sx={{ mb: 1.5 }}
      />
      {field("name")}
      {step.type === "action" ? (
        <ActionFields step={step} action={action} problems={problems} readOnly={readOnly} onChange={onChange} />
      ) : (
        own.map(field)
      )}
      <Typography variant="subtitle2" sx={{ mt: 1 }}>Routes</Typography>
      {COMMON_ROUTES.map(field)}
      <Accordion disableGutters variant="outlined" sx={{ mb: 1 }}>
        <AccordionSummary expandIcon={<ExpandMoreIcon />}>
          <Typography variant="body2">Retry and timeout</Typography>
        </AccordionSummary>
        <AccordionDetails>{COMMON_OTHER.map(field)}</AccordionDetails>
      </Accordion>
      {!readOnly && (
        <Stack direction="row" spacing={1}>
          <Button size="small" disabled={isStart} onClick={onMakeStart}>
            {isStart ? "The start step" : "Start here"}
          </Button>
          <Button size="small" color="error" startIcon={<DeleteIcon />} onClick={onDelete}>
            Remove step
          </Button>
        </Stack>
      )}
    </Box>
  );
};

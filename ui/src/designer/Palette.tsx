import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import { Accordion, AccordionDetails, AccordionSummary, Box, Button, Stack, TextField, Typography } from "@mui/material";
import { useState } from "react";
import { useGetList } from "react-admin";

import { bySystem } from "../actions/ActionGroups";
import { EffectChip } from "../actions/EffectChip";
import type { Action } from "../actions/endpoint";
import { STEP_TYPES, type StepType } from "./stepTypes";

interface Props {
  onAddAction: (action: Action) => void;
  onAddStep: (type: StepType) => void;
}

// What can be added: the flow's own steps, then the catalog's actions (GET /api/v1/actions)
// grouped by the system they act on.
export const Palette = ({ onAddAction, onAddStep }: Props) => {
  const { data: actions = [], isPending } = useGetList<Action>("actions", {
    pagination: { page: 1, perPage: 1000 },
    sort: { field: "name", order: "ASC" },
  });
  const [filter, setFilter] = useState("");
  const shown = actions.filter((a) => !filter || `${a.name} ${a.summary}`.toLowerCase().includes(filter.toLowerCase()));
  return (
    <Box data-testid="palette" sx={{ width: 250, flexShrink: 0, maxHeight: 640, overflowY: "auto" }}>
      <Typography variant="subtitle2" sx={{ mb: 1 }}>Flow</Typography>
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 0.5, mb: 2 }}>
        {STEP_TYPES.map((type) => (
          <Button
            key={type.type}
            size="small"
            variant="outlined"
            aria-label={`Add ${type.label}`}
            onClick={() => onAddStep(type)}
            sx={{ borderColor: type.color, color: type.color, textTransform: "none" }}
          >
            {type.label}
          </Button>
        ))}
      </Box>
      <Typography variant="subtitle2">Actions</Typography>
      <TextField size="small" label="Find an action" value={filter} onChange={(e) => setFilter(e.target.value)} fullWidth sx={{ my: 1 }} />
      {isPending && <Typography variant="body2">Loading the catalog…</Typography>}
      {bySystem(shown).map(([system, group]) => (
        <Accordion key={`${system}:${Boolean(filter)}`} disableGutters defaultExpanded={Boolean(filter)} data-testid={`palette-${system}`}>
          <AccordionSummary expandIcon={<ExpandMoreIcon />}>
            <Typography variant="body2" sx={{ fontWeight: 600 }}>{system} ({group.length})</Typography>
          </AccordionSummary>
          <AccordionDetails sx={{ p: 0.5 }}>
            <Stack spacing={0.5}>
              {group.map((action) => (
                <Button
                  key={action.name}
                  size="small"
                  aria-label={`Add ${action.name}`}
                  title={action.summary}
                  onClick={() => onAddAction(action)}
                  sx={{ justifyContent: "space-between", textTransform: "none", textAlign: "left" }}
                >
                  <span>{action.name.split(".").slice(1).join(".") || action.name}</span>
                  <EffectChip effect={action.effect} />
                </Button>
              ))}
            </Stack>
          </AccordionDetails>
        </Accordion>
      ))}
    </Box>
  );
};

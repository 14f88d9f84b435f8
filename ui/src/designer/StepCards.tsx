import { Box, Card, CardContent, Typography } from "@mui/material";

import type { Definition, Problem } from "./endpoint";
import { problemsByStep } from "./problems";
import { flowOrder, routes } from "./routes";
import { summary, typeOf } from "./stepTypes";

// The steps as cards in the order a reader follows them, each with where it goes next: what a
// phone shows under the (small) flowchart.
export const StepCards = ({ definition, problems }: { definition: Definition; problems: Problem[] }) => {
  const byStep = problemsByStep(definition, problems);
  return (
    <Box data-testid="step-cards" sx={{ mt: 1, display: "grid", gap: 1 }}>
      {flowOrder(definition).map((step) => {
        const kind = typeOf(step.type);
        return (
          <Card key={step.id} variant="outlined" sx={{ borderLeft: `6px solid ${kind.color}` }} data-testid={`step-card-${step.id}`}>
            <CardContent sx={{ py: 1, "&:last-child": { pb: 1 } }}>
              <Typography variant="caption" sx={{ color: kind.color, fontWeight: 600 }}>
                {step.id === definition.start ? "▶ start · " : ""}
                {kind.label}
              </Typography>
              <Typography variant="body1" sx={{ fontWeight: 600, overflowWrap: "anywhere" }}>{step.name || step.id}</Typography>
              <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: "anywhere" }}>{summary(step)}</Typography>
              {routes(step).map((r) => (
                <Typography key={r.field} variant="body2" sx={{ overflowWrap: "anywhere" }}>
                  → {r.label || "next"}: {r.target}
                </Typography>
              ))}
              {(byStep.get(step.id) ?? []).map((p, i) => (
                <Typography key={i} variant="body2" color="error" sx={{ overflowWrap: "anywhere" }}>⚠ {p.field}: {p.message}</Typography>
              ))}
            </CardContent>
          </Card>
        );
      })}
    </Box>
  );
};

import { Card, CardContent, Chip, Stack, Typography } from "@mui/material";

import type { Advice } from "./endpoint";

const LABELS: Record<string, string> = {
  add_workers: "add workers",
  start_workers: "no worker",
  raise_budget: "outbound budget",
  throttled: "throttled by target",
};

// One piece of advice: what to do, then the figures it rests on (the reasoning).
export const AdviceCard = ({ advice }: { advice: Advice }) => (
  <Card variant="outlined" data-testid="capacity-advice">
    <CardContent>
      <Stack direction="row" sx={{ flexWrap: "wrap", gap: 1, mb: 1 }} alignItems="center">
        <Chip
          size="small"
          color={advice.kind === "throttled" || advice.kind === "start_workers" ? "error" : "warning"}
          label={LABELS[advice.kind] ?? advice.kind}
        />
        <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: "anywhere" }}>
          {advice.subject}
          {advice.by ? ` · before ${advice.by}` : ""}
        </Typography>
      </Stack>
      <Typography variant="subtitle1" sx={{ overflowWrap: "anywhere" }}>
        {advice.advice}
      </Typography>
      <Typography component="ul" variant="body2" color="text.secondary" sx={{ pl: 2.5, my: 0.5 }}>
        {advice.reasons.map((reason) => (
          <li key={reason} style={{ overflowWrap: "anywhere" }}>
            {reason}
          </li>
        ))}
      </Typography>
    </CardContent>
  </Card>
);

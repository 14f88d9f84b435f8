import { Card, CardContent, Stack, Typography } from "@mui/material";
import { Link } from "react-admin";

import { EffectChip } from "./EffectChip";
import type { Action } from "./endpoint";
import { InputFields } from "./InputFields";
import { Summary } from "./Summary";

// One catalog action as documentation: what it does, its effect, how a repeat is made harmless,
// and what it takes.
export const ActionCard = ({ action }: { action: Action }) => (
  <Card variant="outlined" data-testid="action-card" data-action={action.name}>
    <CardContent>
      <Stack direction="row" spacing={1} alignItems="center" sx={{ flexWrap: "wrap", rowGap: 1 }}>
        <Link to={`/actions/${encodeURIComponent(action.name)}/show`}>
          <Typography variant="subtitle1" component="span" sx={{ fontFamily: "monospace", overflowWrap: "anywhere" }}>
            {action.name}
          </Typography>
        </Link>
        <EffectChip effect={action.effect} />
      </Stack>
      <Typography variant="body2" sx={{ my: 1 }}>
        <Summary text={action.summary} />
      </Typography>
      <Typography variant="body2" color="text.secondary" data-testid="action-idempotency">
        {action.idempotent
          ? `Idempotent${action.idempotency_key ? `, keyed by ${action.idempotency_key}` : ""}`
          : "Not idempotent: a repeat acts again"}
      </Typography>
      <InputFields schema={action.input_schema} />
    </CardContent>
  </Card>
);

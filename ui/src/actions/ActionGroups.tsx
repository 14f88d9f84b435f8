import { Box, Stack, Typography } from "@mui/material";

import { ActionCard } from "./ActionCard";
import type { Action } from "./endpoint";

export function bySystem(actions: Action[]): [string, Action[]][] {
  const groups = new Map<string, Action[]>();
  for (const action of actions) groups.set(action.system, [...(groups.get(action.system) ?? []), action]);
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

// Actions as cards, one heading per system (the heading left out when there is one system).
export const ActionGroups = ({ actions, headings = true }: { actions: Action[]; headings?: boolean }) => (
  <Stack spacing={3}>
    {bySystem(actions).map(([system, group]) => (
      <Box key={system} component="section" data-testid={`actions-${system}`}>
        {headings && (
          <Typography variant="h6" sx={{ mb: 1 }}>
            {system}
          </Typography>
        )}
        <Stack spacing={1}>
          {[...group].sort((a, b) => a.name.localeCompare(b.name)).map((action) => (
            <ActionCard key={action.name} action={action} />
          ))}
        </Stack>
      </Box>
    ))}
  </Stack>
);

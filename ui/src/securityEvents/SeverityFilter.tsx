import { Chip, Stack } from "@mui/material";
import { useListContext } from "react-admin";

import { EVENT_SEVERITIES } from "./endpoint";

const COLORS = { high: "error", medium: "warning", low: "info" } as const;

// Severity chips: one severity at a time, or all; they wrap on a narrow screen.
export const SeverityFilter = () => {
  const { filterValues, setFilters, displayedFilters } = useListContext();
  const pick = (severity?: string) => {
    const { severity: _, ...rest } = filterValues;
    setFilters(severity ? { ...rest, severity } : rest, displayedFilters);
  };
  return (
    <Stack direction="row" sx={{ my: 1, flexWrap: "wrap", gap: 1 }} aria-label="severity">
      <Chip size="small" label="all" variant={filterValues.severity ? "outlined" : "filled"} onClick={() => pick()} />
      {EVENT_SEVERITIES.map((s) => (
        <Chip
          key={s}
          size="small"
          label={s}
          color={COLORS[s]}
          variant={filterValues.severity === s ? "filled" : "outlined"}
          onClick={() => pick(s)}
          data-testid={`severity-filter-${s}`}
        />
      ))}
    </Stack>
  );
};

import { Chip } from "@mui/material";
import { useRecordContext } from "react-admin";

import type { Severity } from "./endpoint";

const COLORS: Record<Severity, "error" | "warning" | "info" | "default"> = {
  high: "error",
  medium: "warning",
  low: "info",
  info: "default",
};

export const SeverityChip = ({ severity }: { severity?: Severity; label?: string }) => {
  const record = useRecordContext();
  const value = severity ?? (record?.severity as Severity | undefined);
  if (!value) return null;
  return <Chip size="small" label={value} color={COLORS[value]} data-testid="severity-chip" />;
};

import { Chip } from "@mui/material";
import { useRecordContext } from "react-admin";

import type { Effect } from "./endpoint";

// What running the action does to the school's system: reading is harmless, a write changes it, a
// destructive action removes something.
const COLORS: Record<Effect, "success" | "warning" | "error"> = {
  read: "success",
  write: "warning",
  destructive: "error",
};

export const EffectChip = ({ effect, label: _label }: { effect?: Effect; label?: string }) => {
  const record = useRecordContext();
  const value = effect ?? (record?.effect as Effect | undefined);
  if (!value) return null;
  return <Chip size="small" label={value} color={COLORS[value] ?? "default"} data-testid="effect-chip" />;
};

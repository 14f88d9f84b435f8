import { Chip } from "@mui/material";
import { useRecordContext } from "react-admin";

const COLORS: Record<string, "success" | "error" | "warning" | "info" | "default"> = {
  healthy: "success",
  unhealthy: "error",
  unknown: "default",
  Completed: "success",
  Failed: "error",
  TimedOut: "error",
  Terminated: "error",
  Canceled: "warning",
  Running: "info",
  open: "warning",
  resolved: "success",
  retried: "info",
  started: "success",
  queued: "info",
  running: "info",
  applied: "success",
  coalesced: "success",
  duplicate: "info",
  rejected: "error",
  unrouted: "warning",
  error: "error",
  success: "success",
  denied: "warning",
  failed: "error",
  firing: "error",
  acknowledged: "warning",
};

export const statusColor = (status: string) => COLORS[status] ?? "default";

// A record's status as a coloured chip (works as a Datagrid column: pass `source`).
export const StatusChip = ({ source = "status" }: { source?: string; label?: string }) => {
  const record = useRecordContext();
  const value = record ? String(record[source] ?? "") : "";
  if (!value) return null;
  return <Chip size="small" label={value} color={statusColor(value)} data-testid="status-chip" />;
};

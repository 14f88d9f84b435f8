import { Chip, Table, TableBody, TableCell, TableRow, Typography } from "@mui/material";
import { useEffect, useState } from "react";
import { Link } from "react-admin";

import { statusColor } from "../common/StatusChip";
import { designer, type RunItem } from "./endpoint";
import { runStatus } from "./runStatus";

// The runs started on one version (newest first), each linked to its page; followed while open.
export const RunsOfVersion = ({ name, version, every = 3000 }: { name: string; version: number; every?: number }) => {
  const [runs, setRuns] = useState<{ count: number; items: RunItem[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    const load = () =>
      designer.runs(name, version).then(
        (found) => {
          if (!current) return;
          setRuns(found);
          setError(null);
        },
        (e: Error) => current && setError(e.message),
      );
    load();
    const timer = setInterval(load, every);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [name, version, every]);
  if (error) return <Typography color="error" variant="body2">{error}</Typography>;
  if (!runs) return <Typography variant="body2">Loading the runs…</Typography>;
  if (runs.count === 0) return <Typography variant="body2" color="text.secondary">No run on this version yet.</Typography>;
  return (
    <Table size="small" data-testid={`runs-v${version}`}>
      <TableBody>
        {runs.items.map((run) => (
          <TableRow key={`${run.workflow_id}:${run.run_id}`}>
            <TableCell sx={{ fontFamily: "monospace", overflowWrap: "anywhere" }}>
              <Link to={`/process-definitions/${encodeURIComponent(name)}/runs/${encodeURIComponent(run.workflow_id)}`} sx={{ display: "block", wordBreak: "break-all" }}>{run.workflow_id}</Link>
            </TableCell>
            <TableCell>
              <Chip size="small" label={runStatus(run.status)} color={statusColor(runStatus(run.status))} data-testid="run-status" />
            </TableCell>
            <TableCell>{run.start_time ? new Date(run.start_time).toLocaleString() : ""}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};

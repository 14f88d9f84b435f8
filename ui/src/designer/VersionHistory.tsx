import { Box, Button, Chip, Collapse, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import { Fragment, useCallback, useEffect, useState } from "react";
import { useNotify } from "react-admin";

import { designer, type Version } from "./endpoint";
import { RunsOfVersion } from "./RunsOfVersion";
import { StartRunDialog } from "./StartRunDialog";
import { VersionDiff } from "./VersionDiff";

// Every published version, newest first: who published it, how many runs it has had, and what
// can be done with it (start a run, see its runs, roll back to it, approve it), then a diff.
export const VersionHistory = ({ name }: { name: string }) => {
  const notify = useNotify();
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [starting, setStarting] = useState<Version | null>(null);
  const load = useCallback(
    () => designer.versions(name).then(setVersions, (e: Error) => notify(e.message, { type: "error" })),
    [name, notify],
  );
  useEffect(() => {
    load();
  }, [load]);
  const act = (work: () => Promise<Version>, done: (v: Version) => string) => async () => {
    try {
      notify(done(await work()), { type: "success" });
      load();
    } catch (error) {
      notify((error as Error).message, { type: "error" });
    }
  };
  if (!versions) return <Typography variant="body2">Loading the versions…</Typography>;
  if (versions.length === 0) return <Typography variant="body2" color="text.secondary">Not published yet.</Typography>;
  const newest = [...versions].reverse();
  return (
    <Box data-testid="version-history">
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>Version</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Runs</TableCell>
            <TableCell>Published by</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {newest.map((v) => (
            <Fragment key={v.version}>
              <TableRow data-testid={`version-${v.version}`}>
                <TableCell>
                  v{v.version}
                  {v.source_version ? ` (rollback to v${v.source_version})` : ""}
                </TableCell>
                <TableCell>
                  <Chip size="small" label={v.status === "published" ? "published" : "waits for approval"} color={v.status === "published" ? "success" : "warning"} />
                  {v.destructive.length > 0 && <Typography variant="caption" component="div">destructive: {v.destructive.join(", ")}</Typography>}
                </TableCell>
                <TableCell data-testid={`runs-count-${v.version}`}>{v.runs ?? "?"}</TableCell>
                <TableCell>
                  {v.created_by} · {new Date(v.created_at).toLocaleString()}
                  {v.approved_by ? ` · approved by ${v.approved_by}` : ""}
                </TableCell>
                <TableCell sx={{ whiteSpace: "nowrap" }}>
                  {v.status === "published" && (
                    <Button size="small" onClick={() => setStarting(v)}>Start run</Button>
                  )}
                  <Button size="small" onClick={() => setOpen(open === v.version ? null : v.version)}>
                    {open === v.version ? "Hide runs" : "Runs"}
                  </Button>
                  {v.status === "pending_approval" && (
                    <Button size="small" onClick={act(() => designer.approve(name, v.version), (r) => `v${r.version} approved`)}>Approve</Button>
                  )}
                  {v.version !== versions.at(-1)?.version && (
                    <Button size="small" onClick={act(() => designer.rollback(name, v.version), (r) => `Published v${r.version} with v${v.version}'s content`)}>
                      Roll back to this
                    </Button>
                  )}
                </TableCell>
              </TableRow>
              <TableRow>
                <TableCell colSpan={5} sx={{ py: 0, borderBottom: open === v.version ? undefined : "none" }}>
                  <Collapse in={open === v.version} unmountOnExit>
                    <Box sx={{ py: 1 }}>
                      <RunsOfVersion name={name} version={v.version} />
                    </Box>
                  </Collapse>
                </TableCell>
              </TableRow>
            </Fragment>
          ))}
        </TableBody>
      </Table>
      {starting && (
        <StartRunDialog
          name={name}
          version={starting.version}
          onClose={() => setStarting(null)}
          onStarted={() => {
            setOpen(starting.version);
            load();
          }}
        />
      )}
      {versions.length >= 2 && <VersionDiff name={name} versions={versions.map((v) => v.version)} />}
    </Box>
  );
};

import { Box, Chip, MenuItem, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from "@mui/material";
import { Fragment, useEffect, useState } from "react";

import { designer, type Change, type DefinitionDiff } from "./endpoint";

const show = (value: unknown) => (value === undefined || value === null ? "—" : JSON.stringify(value));
const COLORS = { added: "success", removed: "error", changed: "warning" } as const;

const Changes = ({ changes }: { changes: Change[] }) => (
  <>
    {changes.map((c, i) => (
      <TableRow key={i}>
        <TableCell sx={{ fontFamily: "monospace" }}>{c.path}</TableCell>
        <TableCell sx={{ fontFamily: "monospace", color: "error.main", overflowWrap: "anywhere" }}>{show(c.before)}</TableCell>
        <TableCell sx={{ fontFamily: "monospace", color: "success.main", overflowWrap: "anywhere" }}>{show(c.after)}</TableCell>
      </TableRow>
    ))}
  </>
);

// What changed between two versions, step by step (GET .../diff?from=&to=).
export const VersionDiff = ({ name, versions }: { name: string; versions: number[] }) => {
  const [from, setFrom] = useState(versions.at(-2) ?? versions[0]);
  const [to, setTo] = useState(versions.at(-1) ?? versions[0]);
  const [diff, setDiff] = useState<DefinitionDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    designer.diff(name, from, to).then(
      (found) => {
        if (current) {
          setDiff(found);
          setError(null);
        }
      },
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [name, from, to]);
  const picker = (label: string, value: number, set: (v: number) => void) => (
    <TextField select size="small" label={label} value={value} onChange={(e) => set(Number(e.target.value))} sx={{ minWidth: 110 }}>
      {versions.map((v) => <MenuItem key={v} value={v}>v{v}</MenuItem>)}
    </TextField>
  );
  const empty = diff && diff.definition.length === 0 && diff.steps.length === 0;
  return (
    <Box data-testid="version-diff" sx={{ mt: 3 }}>
      <Typography variant="h6">Compare versions</Typography>
      <Box sx={{ display: "flex", gap: 1, my: 1 }}>
        {picker("from", from, setFrom)}
        {picker("to", to, setTo)}
      </Box>
      {error && <Typography color="error">{error}</Typography>}
      {empty && <Typography variant="body2">The same definition.</Typography>}
      {diff && !empty && (
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell>Field</TableCell>
              <TableCell>v{from}</TableCell>
              <TableCell>v{to}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            <Changes changes={diff.definition} />
            {diff.steps.map((s) => (
              <Fragment key={s.step}>
                <TableRow data-testid={`diff-step-${s.step}`}>
                  <TableCell colSpan={3}>
                    <b>{s.step}</b> <Chip size="small" label={s.status} color={COLORS[s.status]} />
                  </TableCell>
                </TableRow>
                {s.status === "changed" && <Changes changes={s.changes} />}
              </Fragment>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
};

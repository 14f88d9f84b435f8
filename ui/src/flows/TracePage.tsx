import { Alert, Box, Button, Card, CardContent, Chip, MenuItem, Stack, TextField, Typography } from "@mui/material";
import { useEffect, useState } from "react";
import { Link, Title } from "react-admin";
import { useSearchParams } from "react-router-dom";

import { flowCalls, type Lineage, type LineageEntry } from "./endpoint";

type Kind = "person" | "class";

const When = ({ at }: { at: string }) => <>{new Date(at).toLocaleString()}</>;

// One system's writes of the traced records: which record, when, by which run, mapped how.
const SystemCard = ({ system, entries }: { system: string; entries: LineageEntry[] }) => (
  <Card variant="outlined" data-testid="trace-system" sx={{ minWidth: 0 }}>
    <CardContent>
      <Typography variant="h6" sx={{ wordBreak: "break-word" }}>
        {system} {entries[0]?.system_type && <Chip size="small" label={entries[0].system_type} />}
      </Typography>
      {entries.map((e) => (
        <Box key={`${e.record_type}/${e.source_id}`} data-testid="trace-entry" sx={{ borderTop: 1, borderColor: "divider", py: 1 }}>
          <Typography variant="body2" sx={{ wordBreak: "break-word" }}>
            <strong>{e.record_type}</strong> {e.source_id} ({e.status})
          </Typography>
          <Typography variant="body2" color="text.secondary">
            written <When at={e.written_at} /> · mapping {e.mapping ?? "not recorded"}
          </Typography>
          {e.workflow_id ? (
            <Typography variant="body2" sx={{ wordBreak: "break-all" }}>
              by run <Link to={`/runs/${encodeURIComponent(e.workflow_id)}/show`}>{e.workflow_id}</Link>
            </Typography>
          ) : (
            <Typography variant="body2" color="text.secondary">
              run not recorded
            </Typography>
          )}
        </Box>
      ))}
    </CardContent>
  </Card>
);

// Where one person (or class) was written: every system, when, by which run, with which mapping
// version. /flows/trace?person=<sourcedId> or ?class=<sourcedId>.
export const TracePage = () => {
  const [params, setParams] = useSearchParams();
  const kind: Kind = params.get("class") !== null ? "class" : "person";
  const id = params.get(kind) ?? "";
  const [typed, setTyped] = useState(id);
  const [typedKind, setTypedKind] = useState<Kind>(kind);
  const [lineage, setLineage] = useState<Lineage | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!id) return;
    let current = true;
    setLineage(null);
    setError(null);
    flowCalls.lineage(kind, id).then(
      (found) => current && setLineage(found),
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [kind, id]);
  const bySystem = new Map<string, LineageEntry[]>();
  // The record itself first in each system, then its enrollments (each newest first).
  const own = (e: LineageEntry) => (e.record_type === "enrollments" ? 1 : 0);
  const ordered = [...(lineage?.entries ?? [])].sort((a, b) => own(a) - own(b));
  for (const entry of ordered) bySystem.set(entry.system, [...(bySystem.get(entry.system) ?? []), entry]);
  return (
    <Box sx={{ p: { xs: 1, sm: 2 } }}>
      <Title title="Trace" />
      <Stack
        direction={{ xs: "column", sm: "row" }}
        spacing={1}
        component="form"
        sx={{ mb: 2 }}
        onSubmit={(e) => {
          e.preventDefault();
          if (typed.trim()) setParams({ [typedKind]: typed.trim() });
        }}
      >
        <TextField
          select
          size="small"
          label="Kind"
          value={typedKind}
          onChange={(e) => setTypedKind(e.target.value as Kind)}
          sx={{ width: { xs: "100%", sm: 140 }, flexShrink: 0 }}
        >
          <MenuItem value="person">person</MenuItem>
          <MenuItem value="class">class</MenuItem>
        </TextField>
        <TextField size="small" label="SIS id" value={typed} onChange={(e) => setTyped(e.target.value)} sx={{ flex: 1, minWidth: 0, width: { xs: "100%", sm: "auto" } }} />
        <Button type="submit" variant="contained" disabled={!typed.trim()} sx={{ flexShrink: 0 }}>
          Trace
        </Button>
      </Stack>
      {error && <Alert severity="error">{error}</Alert>}
      {lineage && (
        <>
          <Typography variant="h5" sx={{ wordBreak: "break-word" }} data-testid="trace-title">
            {lineage.kind} {lineage.source_id}
          </Typography>
          {lineage.systems.length === 0 ? (
            <Alert severity="info">Atrium has written this {lineage.kind} to no system.</Alert>
          ) : (
            <Typography variant="body2" sx={{ mb: 1 }} data-testid="trace-systems">
              Written to {lineage.systems.length} system{lineage.systems.length === 1 ? "" : "s"}: {lineage.systems.join(", ")}
            </Typography>
          )}
          <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { xs: "1fr", md: "1fr 1fr" } }}>
            {[...bySystem.entries()].map(([system, entries]) => (
              <SystemCard key={system} system={system} entries={entries} />
            ))}
          </Box>
        </>
      )}
    </Box>
  );
};

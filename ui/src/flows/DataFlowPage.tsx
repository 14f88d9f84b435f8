import { Alert, Box, Button, Card, CardContent, List, ListItemButton, ListItemText, Stack, TextField, ToggleButton, ToggleButtonGroup, Typography } from "@mui/material";
import { useEffect, useState } from "react";
import { Title } from "react-admin";
import { useNavigate } from "react-router-dom";

import { useIsSmall } from "../common/useIsSmall";
import { EdgeRuns } from "./EdgeRuns";
import { WINDOWS, flowCalls, type FlowGraph, type Window } from "./endpoint";
import { FlowGraphCanvas, edgeColor, edgeSummary } from "./FlowGraphCanvas";

// Trace one person or class from here: /flows/trace?person=<sourcedId>.
const TraceBox = () => {
  const [id, setId] = useState("");
  const navigate = useNavigate();
  const go = () => id.trim() && navigate(`/flows/trace?person=${encodeURIComponent(id.trim())}`);
  return (
    <Stack direction="row" spacing={1} component="form" onSubmit={(e) => (e.preventDefault(), go())}>
      <TextField size="small" label="Trace a person (SIS id)" value={id} onChange={(e) => setId(e.target.value)} sx={{ flex: 1, minWidth: 0 }} />
      <Button type="submit" variant="outlined" disabled={!id.trim()}>
        Trace
      </Button>
    </Stack>
  );
};

// The school's systems and the processes moving data between them, with what went along each
// edge over the window; an edge (in the drawing or the list) shows its runs.
export const DataFlowPage = () => {
  const small = useIsSmall();
  const [window, setWindow] = useState<Window>("24h");
  const [graph, setGraph] = useState<FlowGraph | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    setError(null);
    flowCalls.graph(window).then(
      (found) => current && setGraph(found),
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [window]);
  const edge = graph?.edges.find((e) => e.id === selected) ?? null;
  const idle = graph ? graph.nodes.filter((n) => !graph.edges.some((e) => e.source === n.id || e.target === n.id)) : [];
  return (
    <Box sx={{ p: { xs: 1, sm: 2 } }}>
      <Title title="Data flow" />
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2} sx={{ mb: 2 }} alignItems={{ sm: "center" }}>
        <ToggleButtonGroup
          exclusive
          size="small"
          value={window}
          aria-label="window"
          onChange={(_, value: Window | null) => value && (setWindow(value), setSelected(null))}
        >
          {WINDOWS.map((w) => (
            <ToggleButton key={w} value={w} aria-label={`last ${w}`}>
              {w}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        <Box sx={{ flex: 1 }}>
          <TraceBox />
        </Box>
      </Stack>
      {error && <Alert severity="error">{error}</Alert>}
      {graph && graph.truncated && (
        <Alert severity="warning">More runs in this window than were counted: the figures are a lower bound.</Alert>
      )}
      {graph && graph.edges.length === 0 && (
        <Alert severity="info" data-testid="no-flows">
          No process moved data in the last {graph.window}.
        </Alert>
      )}
      {graph && graph.edges.length > 0 && (
        <FlowGraphCanvas
          nodes={graph.nodes}
          edges={graph.edges}
          selected={selected}
          onSelect={setSelected}
          vertical={small}
          height={small ? 420 : 480}
        />
      )}
      {edge && <EdgeRuns edge={edge} window={window} />}
      {graph && graph.edges.length > 0 && (
        <Card variant="outlined" sx={{ mt: 2 }}>
          <CardContent sx={{ p: 1 }}>
            <Typography variant="subtitle2">Edges over the last {graph.window}</Typography>
            <List dense data-testid="flow-edges">
              {graph.edges.map((e) => (
                <ListItemButton key={e.id} selected={e.id === selected} onClick={() => setSelected(e.id)} data-testid="flow-edge" sx={{ borderLeft: 4, borderColor: edgeColor(e) }}>
                  <ListItemText
                    primary={`${e.process}: ${e.source} → ${e.target}`}
                    secondary={edgeSummary(e)}
                    sx={{ minWidth: 0, "& .MuiListItemText-primary": { wordBreak: "break-word" } }}
                  />
                </ListItemButton>
              ))}
            </List>
            {idle.length > 0 && (
              <Typography variant="body2" color="text.secondary">
                No flow in this window: {idle.map((n) => n.label).join(", ")}
              </Typography>
            )}
          </CardContent>
        </Card>
      )}
    </Box>
  );
};

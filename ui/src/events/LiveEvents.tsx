import { Card, CardContent, CardHeader, Chip, List, ListItem, ListItemText, Typography } from "@mui/material";
import { useEffect, useState } from "react";
import { Title } from "react-admin";

import { followStream, type LiveEvent } from "./liveStream";

const KEEP = 50;
const COLOURS: Record<string, "success" | "error" | "warning" | "info" | "default"> = {
  "run.completed": "success",
  "run.failed": "error",
  "run.timed_out": "error",
  "run.terminated": "warning",
  "run.canceled": "warning",
  "run.started": "info",
};

// What is happening now: the newest events of the live stream, reconnecting when it drops.
export const LiveEvents = () => {
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const stop = new AbortController();
    const run = async () => {
      let delay = 1000;
      while (!stop.signal.aborted) {
        try {
          setConnected(true);
          await followStream("/api/v1/events/stream", (event) => {
            delay = 1000;
            setEvents((seen) => [event, ...seen.filter((e) => e.id !== event.id)].slice(0, KEEP));
          }, stop.signal);
        } catch {
          // dropped or refused: try again a little later
        }
        setConnected(false);
        await new Promise((resume) => setTimeout(resume, delay));
        delay = Math.min(delay * 2, 30000);
      }
    };
    void run();
    return () => stop.abort();
  }, []);
  return (
    <Card data-testid="live-events" sx={{ mt: 2 }}>
      <Title title="Live" />
      <CardHeader title="Live" subheader={connected ? "as it happens" : "reconnecting..."} />
      <CardContent sx={{ pt: 0 }}>
        {events.length === 0 && <Typography variant="body2" color="text.secondary">Nothing yet: runs, webhooks and alerts show here as they happen.</Typography>}
        <List dense disablePadding>
          {events.map((event) => (
            <ListItem key={event.id} disableGutters>
              <Chip size="small" label={event.type} color={COLOURS[event.type] ?? "default"} sx={{ mr: 1 }} />
              <ListItemText
                primary={String(event.data.workflow_id ?? event.data.integration ?? event.data.source ?? "")}
                secondary={`${new Date(event.at).toLocaleTimeString()}${event.data.process ? ` · ${event.data.process}` : ""}`}
              />
            </ListItem>
          ))}
        </List>
      </CardContent>
    </Card>
  );
};

import { Box, Button, Card, CardActions, CardContent, TextField, Typography } from "@mui/material";
import { useState } from "react";
import { useNotify } from "react-admin";

import { designer, type WaitingDecision } from "../designer/endpoint";

// One waiting approval: what is asked, of which run, by when; the form it asks for, a comment,
// and approve or reject.
export const DecisionCard = ({ decision, onDecided }: { decision: WaitingDecision; onDecided: () => void }) => {
  const notify = useNotify();
  const [comment, setComment] = useState("");
  const [form, setForm] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const decide = (outcome: "approved" | "rejected") => async () => {
    setBusy(true);
    try {
      await designer.decide(decision.process, decision.workflow_id, {
        step: decision.step, outcome, comment, form, iteration: decision.iteration,
      });
      notify(`${decision.name}: ${outcome}`, { type: "success" });
      onDecided();
    } catch (error) {
      notify((error as Error).message, { type: "error" });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card variant="outlined" data-testid={`decision-${decision.workflow_id}-${decision.step}`}>
      <CardContent>
        <Typography variant="caption" color="text.secondary" sx={{ overflowWrap: "anywhere" }}>
          {decision.process} v{decision.version} · {decision.workflow_id}
        </Typography>
        <Typography variant="h6" sx={{ overflowWrap: "anywhere" }}>{decision.name}</Typography>
        <Typography variant="body1" sx={{ my: 1, whiteSpace: "pre-wrap" }}>{decision.prompt}</Typography>
        <Typography variant="body2" color="text.secondary">
          Started by {decision.started_by} · for a {decision.assignee_role} · by {new Date(decision.deadline).toLocaleString()}
        </Typography>
        <Box sx={{ mt: 1 }}>
          {decision.form.map((field) => (
            <TextField
              key={field}
              size="small"
              fullWidth
              label={field}
              value={form[field] ?? ""}
              onChange={(e) => setForm({ ...form, [field]: e.target.value })}
              sx={{ mb: 1 }}
            />
          ))}
          <TextField size="small" fullWidth label="Comment" value={comment} onChange={(e) => setComment(e.target.value)} />
        </Box>
      </CardContent>
      <CardActions>
        <Button variant="contained" color="success" disabled={busy} onClick={decide("approved")}>Approve</Button>
        <Button variant="outlined" color="error" disabled={busy} onClick={decide("rejected")}>Reject</Button>
      </CardActions>
    </Card>
  );
};

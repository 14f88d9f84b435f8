import { Button, Dialog, DialogActions, DialogContent, DialogTitle, Typography } from "@mui/material";
import { useEffect, useState } from "react";
import { useNotify } from "react-admin";

import { designer, type Definition } from "./endpoint";
import { jsonText, TextBuffer } from "./TextBuffer";

const EXAMPLES: Record<string, unknown> = { string: "", integer: 0, number: 0, boolean: false, object: {}, array: [] };

// Start a run of one published version, its input typed as JSON (a skeleton from the inputs).
export const skeleton = (definition: Definition) =>
  Object.fromEntries(Object.entries(definition.inputs ?? {}).map(([k, v]) => [k, EXAMPLES[v.type ?? "string"]]));

export const StartRunDialog = ({ name, version, onClose, onStarted }: {
  name: string;
  version: number;
  onClose: () => void;
  onStarted: () => void;
}) => {
  const notify = useNotify();
  const [input, setInput] = useState<unknown>({});
  useEffect(() => {
    designer.version(name, version).then((v) => v.definition && setInput(skeleton(v.definition)), () => undefined);
  }, [name, version]);
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setBusy(true);
    try {
      const run = await designer.start(name, version, (input as Record<string, unknown>) ?? {});
      notify(`Started ${run.workflow_id}`, { type: "success" });
      onStarted();
      onClose();
    } catch (error) {
      notify(`Starting: ${(error as Error).message}`, { type: "error" });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>Start {name} v{version}</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          You start it: someone else decides its approvals.
        </Typography>
        <TextBuffer
          label="input"
          fullWidth
          multiline
          minRows={6}
          value={input}
          {...jsonText}
          onValue={setInput}
          slotProps={{ htmlInput: { "data-field": "run-input" } }}
          sx={{ mt: 1, "& textarea": { fontFamily: "monospace", fontSize: 13 } }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={start} disabled={busy}>Start</Button>
      </DialogActions>
    </Dialog>
  );
};

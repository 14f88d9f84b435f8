import {
  Button, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, MenuItem, TextField, Typography,
} from "@mui/material";
import { useEffect, useState } from "react";

import { designer, type Definition, type Version } from "./endpoint";
import { skeleton } from "./StartRunDialog";
import { jsonText, TextBuffer } from "./TextBuffer";

export type TrialKind = "dry" | "test";

// A run tried from the designer, to be drawn on the graph of the version it ran.
export interface Trial {
  kind: TrialKind;
  version: number;
  definition: Definition;
  workflowId: string;
}

const TITLES: Record<TrialKind, string> = { dry: "Dry run", test: "Test run" };
const EXPLAINED: Record<TrialKind, string> = {
  dry: "Runs the version on this sample input: conditions, transforms and loops run, read actions are performed (unless unticked), writes, webhooks and sub-processes are skipped and answer with the sample given, approvals take their default outcome, timers do not wait. Nothing is written.",
  test: "Starts a real run of the version against the connections its steps name (the sandbox institution's, in a test installation): its writes are done. Its approvals wait for someone else.",
};

const dict = (value: unknown) => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

// Try a version from the designer: a dry run (any version, one awaiting approval too) or a test
// run (a published one). The draft's unpublished changes are in no version: publish them first.
export const TryRunDialog = ({ name, kind, onClose, onRun }: {
  name: string;
  kind: TrialKind;
  onClose: () => void;
  onRun: (trial: Trial) => void;
}) => {
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [version, setVersion] = useState<number | "">("");
  const [definition, setDefinition] = useState<Definition | null>(null);
  const [input, setInput] = useState<unknown>({});
  const [samples, setSamples] = useState<unknown>({});
  const [reads, setReads] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    designer.versions(name).then(
      (found) => {
        const usable = found.filter((v) => kind === "dry" || v.status === "published");
        setVersions(usable);
        if (usable.length) setVersion(usable[usable.length - 1].version);
      },
      (e: Error) => setError(e.message),
    );
  }, [name, kind]);
  useEffect(() => {
    if (version === "") return;
    let current = true;
    designer.version(name, version).then(
      (v) => {
        if (!current || !v.definition) return;
        setDefinition(v.definition);
        setInput(skeleton(v.definition));
      },
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [name, version]);
  const go = async () => {
    if (version === "" || !definition) return;
    setBusy(true);
    setError(null);
    try {
      const workflowId =
        kind === "dry"
          ? (await designer.dryRun(name, version, { input: dict(input), samples: dict(samples), perform_reads: reads })).workflow_id
          : (await designer.start(name, version, dict(input))).workflow_id;
      onRun({ kind, version, definition, workflowId });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open onClose={busy ? undefined : onClose} fullWidth maxWidth="sm">
      <DialogTitle>{TITLES[kind]} of {name}</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="text.secondary">{EXPLAINED[kind]}</Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2, mt: 1 }}>
          It runs a version, not the draft: publish your changes to try them.
        </Typography>
        {versions && versions.length === 0 ? (
          <Typography color="error" data-testid="try-no-version">
            {kind === "dry" ? "No version yet: publish the draft first." : "No published version yet: publish the draft first."}
          </Typography>
        ) : (
          <TextField
            select
            size="small"
            label="Version"
            value={version}
            onChange={(e) => setVersion(Number(e.target.value))}
            sx={{ minWidth: 200 }}
            slotProps={{ htmlInput: { "data-testid": "try-version" } }}
          >
            {(versions ?? []).map((v) => (
              <MenuItem key={v.version} value={v.version}>
                v{v.version}{v.status === "published" ? "" : " (awaits approval)"}
              </MenuItem>
            ))}
          </TextField>
        )}
        <TextBuffer
          label="input"
          fullWidth
          multiline
          minRows={4}
          value={input}
          {...jsonText}
          onValue={setInput}
          slotProps={{ htmlInput: { "data-field": "try-input" } }}
          sx={{ mt: 2, "& textarea": { fontFamily: "monospace", fontSize: 13 } }}
        />
        {kind === "dry" && (
          <>
            <TextBuffer
              label="samples (step id → the output it answers with)"
              fullWidth
              multiline
              minRows={2}
              value={samples}
              {...jsonText}
              onValue={setSamples}
              slotProps={{ htmlInput: { "data-field": "try-samples" } }}
              sx={{ mt: 2, "& textarea": { fontFamily: "monospace", fontSize: 13 } }}
            />
            <FormControlLabel
              control={<Checkbox checked={reads} onChange={(e) => setReads(e.target.checked)} />}
              label="Perform the read actions"
            />
          </>
        )}
        {error && <Typography color="error" variant="body2" data-testid="try-error" sx={{ mt: 1 }}>{error}</Typography>}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>Cancel</Button>
        <Button variant="contained" onClick={go} disabled={busy || version === "" || !definition}>
          {busy ? "Running…" : "Run"}
        </Button>
      </DialogActions>
    </Dialog>
  );
};

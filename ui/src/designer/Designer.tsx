import { Alert, Box, Button, Paper, Stack, Typography } from "@mui/material";
import { useEffect, useMemo, useState } from "react";
import { Link, useGetList, useNotify, useRefresh } from "react-admin";

import type { Action } from "../actions/endpoint";
import { useIsSmall } from "../common/useIsSmall";
import type { JsonSchema } from "../processes/endpoint";
import { designer, type Definition, type DesignedProcess, type Problem } from "./endpoint";
import { addStep, connect, removeStep, renameStep, replaceStep } from "./edits";
import { FlowCanvas } from "./FlowCanvas";
import { Palette } from "./Palette";
import { ProblemList } from "./ProblemList";
import { problemsByStep } from "./problems";
import { ProcessSettings } from "./ProcessSettings";
import { StepCards } from "./StepCards";
import { StepForm } from "./StepForm";
import { TrialView } from "./TrialView";
import { type Trial, type TrialKind, TryRunDialog } from "./TryRunDialog";

const EMPTY: Definition = { start: "", steps: [] };

// Live validation: the API's own (POST /process-definitions/validate), a moment after each change.
function useProblems(definition: Definition, initial: Problem[]): Problem[] {
  const [problems, setProblems] = useState(initial);
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      designer.validate(definition).then((found) => current && setProblems(found), () => undefined);
    }, 350);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [definition]);
  return problems;
}

// The visual designer: a palette (flow steps and the catalog's actions), the flowchart laid out by
// ELK, and the selected step's form; saved as a draft, published as a new immutable version. A
// version is tried from here too (a dry run, a test run) and the run drawn on its graph.
// On a phone it is view-only: the flowchart and the steps as cards.
export const Designer = ({ record }: { record: DesignedProcess }) => {
  const small = useIsSmall();
  const notify = useNotify();
  const refresh = useRefresh();
  const [definition, setDefinition] = useState<Definition>(() => ({ ...EMPTY, ...record.draft }));
  const [description, setDescription] = useState(record.description);
  const [selected, setSelected] = useState<string | null>(null);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [schema, setSchema] = useState<JsonSchema | null>(null);
  const [trying, setTrying] = useState<TrialKind | null>(null);
  const [trial, setTrial] = useState<Trial | null>(null);
  const problems = useProblems(definition, record.problems);
  const { data: actions = [] } = useGetList<Action>("actions", { pagination: { page: 1, perPage: 1000 }, sort: { field: "name", order: "ASC" } });
  const actionsByName = useMemo(() => new Map(actions.map((a) => [a.name, a])), [actions]);
  useEffect(() => {
    designer.schema().then(setSchema, (error: Error) => notify(error.message, { type: "error" }));
  }, [notify]);
  const change = (next: Definition) => {
    setDefinition(next);
    setDirty(true);
  };
  const byStep = problemsByStep(definition, problems);
  const step = definition.steps.find((s) => s.id === selected);
  const save = async () => {
    await designer.saveDraft(record.name, definition, description);
    setDirty(false);
  };
  const run = (label: string, work: () => Promise<string>) => async () => {
    setBusy(true);
    try {
      notify(await work(), { type: "success" });
      refresh();
    } catch (error) {
      notify(`${label}: ${(error as Error).message}`, { type: "error", multiLine: true, autoHideDuration: 15000 });
    } finally {
      setBusy(false);
    }
  };
  const onSave = run("Saving", async () => {
    await save();
    return "Draft saved";
  });
  const onPublish = run("Publishing", async () => {
    await save();
    const version = await designer.publish(record.name);
    return version.status === "published"
      ? `Published version ${version.version}`
      : `Version ${version.version} waits for an administrator's approval (destructive: ${version.destructive.join(", ")})`;
  });

  if (small) {
    return (
      <Box data-testid="designer-readonly" sx={{ p: 1 }}>
        <Alert severity="info" sx={{ mb: 1 }}>View only: the designer needs a larger screen to edit.</Alert>
        <FlowCanvas definition={definition} problems={problems} height={360} />
        <StepCards definition={definition} problems={problems} />
      </Box>
    );
  }
  return (
    <Box data-testid="designer" sx={{ p: 1 }}>
      <Stack direction="row" spacing={1} sx={{ mb: 1, alignItems: "center" }}>
        <Typography variant="h6" sx={{ flexGrow: 1 }}>{record.name}</Typography>
        <Typography variant="body2" color="text.secondary" data-testid="draft-state">
          {dirty ? "unsaved changes" : "saved"}
          {record.latest_version ? ` · latest version ${record.latest_version}` : " · never published"}
        </Typography>
        <Button variant="outlined" onClick={onSave} disabled={busy}>Save draft</Button>
        <Button variant="contained" onClick={onPublish} disabled={busy || problems.length > 0}>Publish</Button>
        <Button onClick={() => setTrying("dry")} disabled={busy}>Dry run</Button>
        <Button onClick={() => setTrying("test")} disabled={busy}>Test run</Button>
        <Button component={Link} to={`/process-definitions/${encodeURIComponent(record.name)}/show`}>Versions and runs</Button>
      </Stack>
      {trying && (
        <TryRunDialog
          name={record.name}
          kind={trying}
          onClose={() => setTrying(null)}
          onRun={(t) => {
            setTrying(null);
            setTrial(t);
          }}
        />
      )}
      {trial ? (
        <TrialView key={trial.workflowId} name={record.name} trial={trial} onBack={() => setTrial(null)} />
      ) : (
        <Box sx={{ display: "flex", gap: 1, alignItems: "flex-start" }}>
          <Palette
            onAddAction={(action) => {
              const [next, id] = addStep(definition, action.name.split(".").pop() ?? "action", { type: "action", action: action.name, input: {}, bind: {} }, selected);
              change(next);
              setSelected(id);
            }}
            onAddStep={(type) => {
              const [next, id] = addStep(definition, type.type, { type: type.type, ...type.blank }, selected);
              change(next);
              setSelected(id);
            }}
          />
          <Box sx={{ flexGrow: 1, minWidth: 0 }}>
            <FlowCanvas
              definition={definition}
              problems={problems}
              selected={selected}
              onSelect={setSelected}
              onConnect={(source, target) => change(connect(definition, source, target))}
            />
            <Box sx={{ mt: 1 }}>
              <ProblemList definition={definition} problems={problems} onSelect={setSelected} />
            </Box>
          </Box>
          <Paper variant="outlined" sx={{ width: 340, flexShrink: 0, maxHeight: 760, overflowY: "auto" }}>
            {step && schema ? (
              <StepForm
                key={step.id}
                step={step}
                schema={schema}
                stepIds={definition.steps.map((s) => s.id)}
                problems={byStep.get(step.id) ?? []}
                action={actionsByName.get(String(step.action))}
                isStart={definition.start === step.id}
                onChange={(s) => change(replaceStep(definition, s))}
                onRename={(id) => {
                  change(renameStep(definition, step.id, id));
                  setSelected(id);
                }}
                onDelete={() => {
                  change(removeStep(definition, step.id));
                  setSelected(null);
                }}
                onMakeStart={() => change({ ...definition, start: step.id })}
                onClose={() => setSelected(null)}
              />
            ) : (
              <ProcessSettings
                definition={definition}
                description={description}
                problems={byStep.get(null) ?? []}
                onChange={change}
                onDescription={(d) => {
                  setDescription(d);
                  setDirty(true);
                }}
              />
            )}
          </Paper>
        </Box>
      )}
    </Box>
  );
};

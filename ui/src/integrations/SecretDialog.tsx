import AddIcon from "@mui/icons-material/Add";
import {
  Button, Dialog, DialogActions, DialogContent, DialogTitle, IconButton, LinearProgress, Stack, TextField,
} from "@mui/material";
import DeleteIcon from "@mui/icons-material/Delete";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useDataProvider, useNotify } from "react-admin";

import type { AtriumDataProvider } from "../dataProvider";

interface Row {
  field: string;
  value: string;
}

// Set or rotate: the values typed here go to the API once and are dropped from memory after.
export const SecretDialog = (props: {
  name: string;
  open: boolean;
  fields?: string[];
  onClose: () => void;
  onSaved: () => void;
}) => {
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const [rows, setRows] = useState<Row[]>([]);
  useEffect(() => {
    if (props.open) setRows((props.fields?.length ? props.fields : ["token"]).map((field) => ({ field, value: "" })));
  }, [props.open, props.fields]);
  const save = useMutation({
    mutationFn: () =>
      dataProvider.rotateSecret(props.name, Object.fromEntries(rows.filter((r) => r.field).map((r) => [r.field, r.value]))),
    onSuccess: (meta) => {
      setRows([]);
      notify(`Secret saved (version ${meta.version})`, { type: "success" });
      queryClient.invalidateQueries({ queryKey: ["integrations"] });
      props.onSaved();
      props.onClose();
    },
    onError: (error: Error) => notify(error.message, { type: "error" }),
  });
  const update = (index: number, change: Partial<Row>) =>
    setRows(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const ready = rows.length > 0 && rows.every((r) => r.field && r.value);
  return (
    <Dialog open={props.open} onClose={props.onClose} fullWidth maxWidth="sm">
      <DialogTitle>Secret of {props.name}</DialogTitle>
      <DialogContent>
        <Stack spacing={1} sx={{ mt: 1 }}>
          {rows.map((row, index) => (
            <Stack key={index} direction={{ xs: "column", sm: "row" }} spacing={1}>
              <TextField
                label="Field" size="small" value={row.field}
                onChange={(e) => update(index, { field: e.target.value })}
                slotProps={{ htmlInput: { "data-testid": `secret-field-${index}` } }}
              />
              <TextField
                label="Value" size="small" type="password" autoComplete="new-password" value={row.value}
                onChange={(e) => update(index, { value: e.target.value })} sx={{ flex: 1 }}
                slotProps={{ htmlInput: { "data-testid": `secret-value-${index}` } }}
              />
              <IconButton aria-label="remove field" onClick={() => setRows(rows.filter((_, i) => i !== index))}>
                <DeleteIcon />
              </IconButton>
            </Stack>
          ))}
          <Button startIcon={<AddIcon />} onClick={() => setRows([...rows, { field: "", value: "" }])}>
            Add a field
          </Button>
          {save.isPending && <LinearProgress />}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button variant="contained" disabled={!ready || save.isPending} onClick={() => save.mutate()}>
          Save secret
        </Button>
      </DialogActions>
    </Dialog>
  );
};

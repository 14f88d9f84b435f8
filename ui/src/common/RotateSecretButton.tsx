import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import KeyIcon from "@mui/icons-material/Key";
import { Alert, Button as MuiButton, Dialog, DialogActions, DialogContent, DialogTitle } from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Button, Confirm, type RaRecord, useCanAccess, useNotify, useRecordContext } from "react-admin";

type Props = {
  resource: string; // whose "edit" right the button needs
  rotate: (record: RaRecord) => Promise<{ secret?: string }>;
  title: (record: RaRecord) => string;
  warning: string; // the confirm step: who must switch to the new secret
  hint: string; // beside the secret: where it goes
};

// A new signing secret, shown once, after a confirm step (the old one stops working at once).
export const RotateSecretButton = (props: Props) => {
  const record = useRecordContext();
  // <Edit> renders its actions before the record has loaded. Asking canAccess then would use the
  // very query key <Edit> polls (once, unsubscribed) to decide whether to show "Loading": caught
  // pending, the page stays on "Loading" for good. So ask only once there is a record.
  return record ? <Rotate record={record} {...props} /> : null;
};

const Rotate = ({ record, resource, rotate, title, warning, hint }: Props & { record: RaRecord }) => {
  const notify = useNotify();
  const [asking, setAsking] = useState(false);
  const { canAccess } = useCanAccess({ resource, action: "edit", record });
  const rotation = useMutation({
    mutationFn: () => rotate(record),
    onError: (error: Error) => notify(error.message, { type: "error" }),
  });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(rotation.data?.secret ?? "");
      notify("Secret copied", { type: "info" });
    } catch {
      notify("Cannot reach the clipboard here: select the secret and copy it by hand", { type: "warning" });
    }
  };
  if (!canAccess) return null;
  return (
    <>
      <Button label="Rotate signing secret" onClick={() => setAsking(true)} disabled={rotation.isPending}>
        <KeyIcon />
      </Button>
      <Confirm
        isOpen={asking}
        title="Rotate the signing secret?"
        content={warning}
        confirm="Rotate"
        onConfirm={() => { setAsking(false); rotation.mutate(); }}
        onClose={() => setAsking(false)}
      />
      <Dialog open={Boolean(rotation.data?.secret)}>
        <DialogTitle>{title(record)}</DialogTitle>
        <DialogContent>
          <Alert severity="warning">{hint}</Alert>
          <pre data-testid="new-secret" style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }}>{rotation.data?.secret}</pre>
        </DialogContent>
        <DialogActions>
          <MuiButton startIcon={<ContentCopyIcon />} onClick={copy}>Copy</MuiButton>
          <MuiButton onClick={() => rotation.reset()}>Done</MuiButton>
        </DialogActions>
      </Dialog>
    </>
  );
};

import KeyIcon from "@mui/icons-material/Key";
import { Alert, Button as MuiButton, Dialog, DialogActions, DialogContent, DialogTitle } from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { Button, useCanAccess, useDataProvider, useNotify, useRecordContext } from "react-admin";

import type { AtriumDataProvider } from "../dataProvider";

// A new signing secret for the source, shown once for the sender's configuration.
export const RotateSecretButton = () => {
  const record = useRecordContext();
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const notify = useNotify();
  const { canAccess } = useCanAccess({ resource: "webhook-sources", action: "edit" });
  const rotate = useMutation({
    mutationFn: () => dataProvider.rotateSourceSecret(String(record?.name)),
    onError: (error: Error) => notify(error.message, { type: "error" }),
  });
  if (!record || !canAccess) return null;
  return (
    <>
      <Button label="Rotate signing secret" onClick={() => rotate.mutate()} disabled={rotate.isPending}>
        <KeyIcon />
      </Button>
      <Dialog open={Boolean(rotate.data?.secret)}>
        <DialogTitle>New signing secret of {record.name}</DialogTitle>
        <DialogContent>
          <Alert severity="warning">Shown once: copy it into the sending system now.</Alert>
          <pre style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }}>{rotate.data?.secret}</pre>
        </DialogContent>
        <DialogActions>
          <MuiButton onClick={() => rotate.reset()}>Done</MuiButton>
        </DialogActions>
      </Dialog>
    </>
  );
};

import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle } from "@mui/material";
import { useState } from "react";
import { Create, useRedirect } from "react-admin";

import { SubscriptionForm } from "./SubscriptionForm";

// The subscriber's signing secret is shown once, at creation, for the subscriber to verify events.
export const SubscriptionCreate = () => {
  const redirect = useRedirect();
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <>
      <Create
        title="New subscription"
        mutationOptions={{ onSuccess: (data) => (data.secret ? setSecret(String(data.secret)) : redirect("list", "subscriptions")) }}
      >
        <SubscriptionForm />
      </Create>
      <Dialog open={Boolean(secret)}>
        <DialogTitle>Signing secret</DialogTitle>
        <DialogContent>
          <Alert severity="warning">Shown once: give it to the subscriber now.</Alert>
          <pre style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }}>{secret}</pre>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => { setSecret(null); redirect("list", "subscriptions"); }}>Done</Button>
        </DialogActions>
      </Dialog>
    </>
  );
};

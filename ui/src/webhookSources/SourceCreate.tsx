import { Alert, Dialog, DialogActions, DialogContent, DialogTitle, Button } from "@mui/material";
import { useState } from "react";
import { BooleanInput, Create, NumberInput, regex, required, SelectInput, SimpleForm, TextInput, useRedirect } from "react-admin";

import { SCHEMES } from "./endpoint";

// The signing secret Atrium generates is shown once, here, for the sender's configuration.
export const SourceCreate = () => {
  const redirect = useRedirect();
  const [created, setCreated] = useState<{ name: string; secret?: string } | null>(null);
  return (
    <>
      <Create
        title="New webhook source"
        mutationOptions={{
          onSuccess: (data) =>
            data.secret ? setCreated({ name: String(data.name), secret: String(data.secret) }) : redirect("list", "webhook-sources"),
        }}
      >
        <SimpleForm defaultValues={{ scheme: "atrium", tolerance_seconds: 300, event_type_path: "type", event_id_path: "id", enabled: true }}>
          <TextInput source="name" validate={[required(), regex(/^[a-z0-9][a-z0-9_-]*$/, "lower-case letters, digits, _ -")]} />
          <SelectInput source="scheme" choices={SCHEMES} validate={required()} />
          <NumberInput source="tolerance_seconds" label="Replay window (s)" min={1} max={86400} />
          <TextInput source="event_type_path" helperText="JMESPath to the event type" />
          <TextInput source="event_id_path" helperText="JMESPath to the event id" />
          <TextInput source="description" fullWidth />
          <BooleanInput source="enabled" />
        </SimpleForm>
      </Create>
      <Dialog open={Boolean(created)}>
        <DialogTitle>Signing secret of {created?.name}</DialogTitle>
        <DialogContent>
          <Alert severity="warning">Shown once: copy it into the sending system now.</Alert>
          <pre style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }}>{created?.secret}</pre>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => { setCreated(null); redirect("list", "webhook-sources"); }}>Done</Button>
        </DialogActions>
      </Dialog>
    </>
  );
};

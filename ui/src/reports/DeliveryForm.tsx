import { Box, FormControlLabel, MenuItem, Stack, Switch, TextField, Typography } from "@mui/material";
import { useEffect, useState } from "react";
import { Button, useGetList, useNotify } from "react-admin";

import { reportCalls, type ReportDelivery } from "./endpoint";

const EMPTY: ReportDelivery = { enabled: false, recipients: [], day_of_month: 1, hour: 6, comms_integration: null };

// Who receives last month's report by email, on which day and hour (UTC), through which comms
// connection. Saving keeps the monthly-report schedule; the API names a field it refuses.
export const DeliveryForm = ({ canChange }: { canChange: boolean }) => {
  const notify = useNotify();
  const [form, setForm] = useState<ReportDelivery>(EMPTY);
  const [recipients, setRecipients] = useState("");
  const { data: connections = [] } = useGetList("integrations", { pagination: { page: 1, perPage: 200 } });
  const comms = connections.filter((c) => c.system === "comms");
  useEffect(() => {
    reportCalls.reportDelivery().then(
      (found) => {
        setForm(found);
        setRecipients(found.recipients.join(", "));
      },
      () => setForm(EMPTY),
    );
  }, []);
  const save = () => {
    const body = {
      ...form,
      recipients: recipients.split(/[\s,;]+/).filter(Boolean),
    };
    reportCalls.saveReportDelivery(body).then(
      (saved) => {
        setForm(saved);
        notify(saved.enabled ? "Report delivery scheduled" : "Report delivery off", { type: "success" });
      },
      (err: Error) => notify(err.message, { type: "error" }),
    );
  };
  const set = (patch: Partial<ReportDelivery>) => setForm((f) => ({ ...f, ...patch }));
  return (
    <Stack spacing={2} component="form" aria-label="delivery settings" sx={{ maxWidth: 560 }}>
      <FormControlLabel
        control={<Switch checked={form.enabled} disabled={!canChange} onChange={(e) => set({ enabled: e.target.checked })} />}
        label="Send last month's report by email"
      />
      <TextField
        label="Recipients"
        helperText="addresses separated by commas"
        value={recipients}
        disabled={!canChange}
        onChange={(e) => setRecipients(e.target.value)}
        multiline
        fullWidth
      />
      <Stack direction="row" sx={{ flexWrap: "wrap", gap: 2 }}>
        <TextField
          label="Day of month"
          type="number"
          value={form.day_of_month}
          disabled={!canChange}
          slotProps={{ htmlInput: { min: 1, max: 28 } }}
          onChange={(e) => set({ day_of_month: Number(e.target.value) })}
          sx={{ width: 130 }}
        />
        <TextField
          label="Hour (UTC)"
          type="number"
          value={form.hour}
          disabled={!canChange}
          slotProps={{ htmlInput: { min: 0, max: 23 } }}
          onChange={(e) => set({ hour: Number(e.target.value) })}
          sx={{ width: 130 }}
        />
      </Stack>
      <TextField
        select
        label="Comms connection"
        value={form.comms_integration ?? ""}
        disabled={!canChange}
        onChange={(e) => set({ comms_integration: e.target.value || null })}
        fullWidth
      >
        <MenuItem value="">(none)</MenuItem>
        {comms.map((c) => (
          <MenuItem key={String(c.id)} value={String(c.name)}>{String(c.name)}</MenuItem>
        ))}
      </TextField>
      {form.updated_by && (
        <Typography variant="body2" color="text.secondary">
          Last changed by {form.updated_by}
          {form.updated_at ? ` on ${new Date(form.updated_at).toLocaleString()}` : ""}
        </Typography>
      )}
      {canChange && <Box><Button label="Save delivery" variant="contained" onClick={save} /></Box>}
    </Stack>
  );
};

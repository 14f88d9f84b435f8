import KeyIcon from "@mui/icons-material/Key";
import { Button, Card, CardContent, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useCanAccess, useDataProvider, useRecordContext } from "react-admin";

import type { AtriumDataProvider } from "../dataProvider";
import { isStatus } from "../http";
import { SecretDialog } from "./SecretDialog";

// What is known about the connection's secret (version, field names, time), never its value.
export const SecretPanel = () => {
  const record = useRecordContext();
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const { canAccess: canWrite } = useCanAccess({ resource: "integrations", action: "secret" });
  const [open, setOpen] = useState(false);
  const name = String(record?.name ?? "");
  const meta = useQuery({
    queryKey: ["integrations", name, "secret"],
    enabled: Boolean(name) && Boolean(record?.has_secret),
    queryFn: () => dataProvider.secretMeta(name).catch((e) => (isStatus(e, 404) ? null : Promise.reject(e))),
  });
  if (!record) return null;
  const hasSecret = Boolean(record.has_secret) && meta.data !== null;
  return (
    <Card variant="outlined" sx={{ mb: 2 }} data-testid="secret-panel">
      <CardContent>
        <Typography variant="h6">Secret</Typography>
        {hasSecret && meta.data ? (
          <Typography variant="body2" data-testid="secret-meta">
            Version {meta.data.version} · fields {meta.data.fields.join(", ")}
            {meta.data.updated_at && ` · set ${new Date(meta.data.updated_at).toLocaleString()}`}
          </Typography>
        ) : (
          <Typography variant="body2" color="text.secondary" data-testid="secret-meta">
            {meta.isLoading ? "Loading…" : "No secret set"}
          </Typography>
        )}
        <Typography variant="caption" color="text.secondary" component="p" sx={{ mb: 1 }}>
          Stored in Vault. Write-only: the console never shows a secret.
        </Typography>
        {canWrite && (
          <Button variant="outlined" startIcon={<KeyIcon />} onClick={() => setOpen(true)}>
            {hasSecret ? "Rotate secret" : "Set secret"}
          </Button>
        )}
        <SecretDialog
          name={name}
          open={open}
          fields={meta.data?.fields}
          onClose={() => setOpen(false)}
          onSaved={() => meta.refetch()}
        />
      </CardContent>
    </Card>
  );
};

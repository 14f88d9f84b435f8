import { Card, CardContent, Chip, Stack, Typography } from "@mui/material";
import { useGetList } from "react-admin";
import { Link } from "react-router-dom";

import { statusColor } from "../common/StatusChip";
import { Waiting } from "../common/Waiting";

// Every connection's health at a glance; a chip links to the connection.
export const IntegrationHealth = () => {
  const { data, total, isPending, error } = useGetList(
    "integrations",
    { pagination: { page: 1, perPage: 200 }, sort: { field: "name", order: "ASC" } },
    { refetchInterval: 15_000 },
  );
  const healthy = data?.filter((i) => i.status === "healthy").length ?? 0;
  return (
    <Card data-testid="integration-health">
      <CardContent>
        <Typography variant="h6">Integrations</Typography>
        {isPending && <Waiting label="Loading the inventory…" />}
        {error && <Typography color="error">{(error as Error).message}</Typography>}
        {data && (
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            {healthy} of {total ?? data.length} healthy
          </Typography>
        )}
        <Stack direction="row" useFlexGap flexWrap="wrap" gap={1}>
          {data?.map((integration) => (
            <Chip
              key={integration.id}
              component={Link}
              to={`/integrations/${encodeURIComponent(String(integration.id))}/show`}
              clickable
              label={`${integration.name}: ${integration.status}`}
              color={statusColor(String(integration.status))}
              variant={integration.enabled ? "filled" : "outlined"}
              title={integration.last_health_detail ?? "never checked"}
            />
          ))}
        </Stack>
      </CardContent>
    </Card>
  );
};

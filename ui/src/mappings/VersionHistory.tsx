import { Accordion, AccordionDetails, AccordionSummary, Card, CardContent, Typography } from "@mui/material";
import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import { useQuery } from "@tanstack/react-query";
import { useDataProvider, useRecordContext } from "react-admin";

import { JsonBlock } from "../common/JsonBlock";
import { Waiting } from "../common/Waiting";
import type { AtriumDataProvider } from "../dataProvider";

// Every saved version of the mapping, newest first (a run records which one it used).
export const VersionHistory = () => {
  const record = useRecordContext();
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const name = String(record?.name ?? "");
  const versions = useQuery({
    queryKey: ["mappings", name, "versions", record?.version],
    enabled: Boolean(name),
    queryFn: () => dataProvider.mappingVersions(name),
  });
  return (
    <Card variant="outlined" sx={{ width: "100%" }} data-testid="versions">
      <CardContent>
        <Typography variant="h6">Version history</Typography>
        {versions.isLoading && <Waiting label="Loading versions…" />}
        {versions.error && <Typography color="error">{versions.error.message}</Typography>}
        {versions.data?.map((v) => (
          <Accordion key={v.version} disableGutters>
            <AccordionSummary expandIcon={<ExpandMoreIcon />}>
              <Typography variant="body2">
                v{v.version} · {new Date(v.created_at).toLocaleString()} {v.created_by && `· ${v.created_by}`}
              </Typography>
            </AccordionSummary>
            <AccordionDetails>
              <JsonBlock value={v.spec} />
            </AccordionDetails>
          </Accordion>
        ))}
      </CardContent>
    </Card>
  );
};

import ScienceIcon from "@mui/icons-material/Science";
import { Alert, Box, Button, Card, CardContent, TextField, Typography } from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useFormContext } from "react-hook-form";
import { useDataProvider } from "react-admin";

import { JsonBlock } from "../common/JsonBlock";
import { Waiting } from "../common/Waiting";
import type { AtriumDataProvider } from "../dataProvider";

const SAMPLE = '[\n  {"sourcedId": "u1", "givenName": "Ada", "familyName": "Lovelace", "role": "student"}\n]';

// Runs the mapping being edited (not the saved one) over sample records, before anything is saved.
export const DryRunPanel = () => {
  const dataProvider = useDataProvider<AtriumDataProvider>();
  const form = useFormContext();
  const [samples, setSamples] = useState(SAMPLE);
  const [sampleError, setSampleError] = useState<string | null>(null);
  const dryRun = useMutation({
    mutationFn: (records: unknown[]) =>
      dataProvider.dryRunMapping(form.getValues("record_type"), form.getValues("spec"), records),
  });
  const run = () => {
    try {
      const parsed = JSON.parse(samples);
      setSampleError(null);
      dryRun.mutate(Array.isArray(parsed) ? parsed : [parsed]);
    } catch (error) {
      setSampleError(`sample records: ${(error as Error).message}`);
    }
  };
  return (
    <Card variant="outlined" sx={{ width: "100%", my: 2 }} data-testid="dry-run">
      <CardContent>
        <Typography variant="h6">Dry run</Typography>
        <Typography variant="body2" color="text.secondary">
          Sample records (JSON) as the source system sends them; nothing is saved or written.
        </Typography>
        <TextField
          multiline minRows={4} fullWidth value={samples} onChange={(e) => setSamples(e.target.value)}
          sx={{ my: 1, "& textarea": { fontFamily: "monospace", fontSize: 13 } }}
          error={Boolean(sampleError)} helperText={sampleError ?? " "}
        />
        <Button variant="outlined" startIcon={<ScienceIcon />} onClick={run} disabled={dryRun.isPending}>
          Dry run
        </Button>
        {dryRun.isPending && <Waiting label="Mapping the samples…" />}
        {dryRun.error && <Alert severity="error" sx={{ mt: 1 }}>{dryRun.error.message}</Alert>}
        {dryRun.data?.map((result, index) => (
          <Box key={index} sx={{ mt: 1 }} data-testid="dry-run-result">
            {result.ok ? (
              <JsonBlock label={`Record ${result.source_id || index + 1}`} value={result.record} />
            ) : (
              <Alert severity="warning">
                Record {result.source_id || index + 1}{result.stage ? ` fails ${result.stage}` : ""}: {result.reason}
              </Alert>
            )}
          </Box>
        ))}
      </CardContent>
    </Card>
  );
};

import { Typography } from "@mui/material";
import {
  Create, FormDataConsumer, required, SelectInput, SimpleForm, useGetList, useNotify, useRedirect,
} from "react-admin";

import { Waiting } from "../common/Waiting";
import type { Process } from "../processes/endpoint";
import { SchemaInputs } from "./SchemaInputs";

// Start a process: pick it, then fill the form generated from its input schema.
// POST /api/v1/runs {process, input}; a duplicate business key joins the run already going.
export const RunCreate = () => {
  const notify = useNotify();
  const redirect = useRedirect();
  const onSuccess = (run: { id: string | number; joined?: boolean | null }) => {
    notify(run.joined ? "Joined the run already going for this input" : "Run started", { type: "info" });
    redirect("show", "runs", run.id);
  };
  const { data: processes, isPending } = useGetList<Process>("processes", {
    pagination: { page: 1, perPage: 200 },
    sort: { field: "name", order: "ASC" },
  });
  return (
    <Create title="Start a process" mutationOptions={{ onSuccess }}>
      <SimpleForm>
        {isPending && <Waiting label="Loading processes…" />}
        <SelectInput
          source="process"
          choices={(processes ?? []).map((p) => ({ id: p.name, name: p.name }))}
          validate={required()}
        />
        <FormDataConsumer>
          {({ formData }) => {
            const process = processes?.find((p) => p.name === formData.process);
            if (!process) return null;
            return (
              <>
                <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
                  {process.description}
                </Typography>
                <SchemaInputs key={process.name} schema={process.input_schema} prefix="input" />
              </>
            );
          }}
        </FormDataConsumer>
      </SimpleForm>
    </Create>
  );
};

// Upload a OneRoster CSV package: the API stores it and a roster-csv-import run syncs it into the
// chosen LMS connections; the page then opens the package, whose status follows the run.
import { useState } from "react";
import {
  ArrayInput, Create, FileField, FileInput, SaveButton, SelectInput, SimpleForm, SimpleFormIterator, TextInput,
  Toolbar, required, useNotify, useRedirect,
} from "react-admin";

import { type UploadTarget, uploadRosterPackage } from "./endpoint";

interface UploadForm {
  source: string;
  targets: UploadTarget[];
  package: { rawFile: File } | null;
}

const systems = [{ id: "canvas", name: "canvas" }, { id: "moodle", name: "moodle" }];

export const RosterPackageUpload = () => {
  const notify = useNotify();
  const redirect = useRedirect();
  const [sending, setSending] = useState(false);
  const submit = async (values: Record<string, unknown>) => {
    const form = values as unknown as UploadForm;
    if (!form.package?.rawFile) {
      notify("package: choose a .zip file", { type: "error" });
      return;
    }
    setSending(true);
    try {
      const answer = await uploadRosterPackage(form.source, form.targets ?? [], form.package.rawFile);
      notify(answer.duplicate ? "This package was already processed: nothing to do" : "Package received: syncing", {
        type: answer.duplicate ? "warning" : "success",
      });
      redirect("show", "roster-packages", answer.package.id);
    } catch (error) {
      notify((error as Error).message, { type: "error" });
    } finally {
      setSending(false);
    }
  };
  return (
    <Create title="Upload a OneRoster CSV package">
      <SimpleForm
        onSubmit={submit}
        defaultValues={{ targets: [{ integration: "", target_system: "canvas" }] }}
        toolbar={<Toolbar><SaveButton label="Upload" disabled={sending} alwaysEnable={!sending} /></Toolbar>}
      >
        <TextInput source="source" label="SIS connection (source=csv)" validate={required()} />
        <ArrayInput source="targets" label="Sync into">
          <SimpleFormIterator inline disableReordering>
            <TextInput source="integration" label="LMS connection" validate={required()} />
            <SelectInput source="target_system" label="LMS" choices={systems} validate={required()} />
          </SimpleFormIterator>
        </ArrayInput>
        <FileInput source="package" label="Package (.zip)" accept={{ "application/zip": [".zip"] }} validate={required()}>
          <FileField source="src" title="title" />
        </FileInput>
      </SimpleForm>
    </Create>
  );
};

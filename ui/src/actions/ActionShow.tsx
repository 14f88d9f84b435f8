import { FunctionField, Show, SimpleShowLayout, TextField } from "react-admin";

import { JsonBlock } from "../common/JsonBlock";
import { EffectChip } from "./EffectChip";
import type { Action } from "./endpoint";
import { InputFields } from "./InputFields";
import { Summary } from "./Summary";

export const ActionShow = () => (
  <Show actions={false}>
    <SimpleShowLayout>
      <TextField source="name" sx={{ fontFamily: "monospace" }} />
      <TextField source="system" />
      <EffectChip label="Effect" />
      <FunctionField<Action> label="Summary" render={(a) => <Summary text={a.summary} />} />
      <FunctionField<Action>
        label="Idempotent"
        render={(a) => (a.idempotent ? `yes${a.idempotency_key ? `, keyed by ${a.idempotency_key}` : ""}` : "no")}
      />
      <FunctionField<Action> label="Input" render={(a) => <InputFields schema={a.input_schema} />} />
      <FunctionField<Action>
        label="Output"
        render={(a) => (a.output_schema ? <InputFields schema={a.output_schema} empty="Nothing." /> : "Nothing.")}
      />
      <FunctionField<Action> label="Input JSON schema" render={(a) => <JsonBlock value={a.input_schema} />} />
    </SimpleShowLayout>
  </Show>
);

import { Edit, WithRecord } from "react-admin";

import { Designer } from "./Designer";
import type { DesignedProcess } from "./endpoint";

// The designer page: the process is read once, then edited in the designer's own state (saving
// goes through PUT .../draft, not react-admin's form).
export const DesignerEdit = () => (
  <Edit actions={false} component="div" title="Process designer">
    <WithRecord<DesignedProcess> render={(record) => <Designer key={record.name} record={record} />} />
  </Edit>
);

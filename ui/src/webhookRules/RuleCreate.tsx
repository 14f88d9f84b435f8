import { Create } from "react-admin";

import { RuleForm } from "./RuleForm";

export const RuleCreate = () => (
  <Create redirect="list" title="New routing rule">
    <RuleForm />
  </Create>
);

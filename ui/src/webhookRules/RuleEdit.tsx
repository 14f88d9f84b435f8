import { Edit } from "react-admin";

import { RuleForm } from "./RuleForm";

export const RuleEdit = () => (
  <Edit mutationMode="pessimistic" redirect="list">
    <RuleForm editing />
  </Edit>
);

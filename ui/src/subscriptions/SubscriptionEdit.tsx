import { Edit, TopToolbar } from "react-admin";

import { RotateSecretButton } from "./RotateSecretButton";
import { SubscriptionForm } from "./SubscriptionForm";

export const SubscriptionEdit = () => (
  <Edit mutationMode="pessimistic" redirect="list" actions={<TopToolbar><RotateSecretButton /></TopToolbar>}>
    <SubscriptionForm />
  </Edit>
);

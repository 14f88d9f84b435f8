import { Edit } from "react-admin";

import { SubscriptionForm } from "./SubscriptionForm";

export const SubscriptionEdit = () => (
  <Edit mutationMode="pessimistic" redirect="list">
    <SubscriptionForm />
  </Edit>
);

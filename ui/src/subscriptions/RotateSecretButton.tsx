import { useDataProvider } from "react-admin";

import { RotateSecretButton as Rotate } from "../common/RotateSecretButton";
import type { AtriumDataProvider } from "../dataProvider";

// A new signing secret for the subscriber, shown once. The API deletes the old one at once, so the
// subscriber must switch before the next delivery verifies.
export const RotateSecretButton = () => {
  const dataProvider = useDataProvider<AtriumDataProvider>();
  return (
    <Rotate
      resource="subscriptions"
      rotate={(record) => dataProvider.rotateSubscriptionSecret(record.id)}
      title={(record) => `New signing secret of subscription ${record.id}`}
      warning="The old secret stops working at once: deliveries from now on are signed with the new one, so the subscriber must switch to it to keep verifying events."
      hint="Shown once: give it to the subscriber now."
    />
  );
};

import { useDataProvider } from "react-admin";

import { RotateSecretButton as Rotate } from "../common/RotateSecretButton";
import type { AtriumDataProvider } from "../dataProvider";

// A new signing secret for the source, shown once for the sender's configuration.
export const RotateSecretButton = () => {
  const dataProvider = useDataProvider<AtriumDataProvider>();
  return (
    <Rotate
      resource="webhook-sources"
      rotate={(record) => dataProvider.rotateSourceSecret(String(record.name))}
      title={(record) => `New signing secret of ${record.name}`}
      warning="The old secret stops working at once: webhooks signed with it are refused, so the sending system must switch to the new one."
      hint="Shown once: copy it into the sending system now."
    />
  );
};

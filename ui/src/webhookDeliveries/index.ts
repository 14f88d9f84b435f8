import Icon from "@mui/icons-material/MoveToInbox";

import { DeliveryList } from "./DeliveryList";

export default { list: DeliveryList, icon: Icon, options: { label: "Webhook deliveries" } };

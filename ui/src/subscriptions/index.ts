import Icon from "@mui/icons-material/Send";

import { SubscriptionCreate } from "./SubscriptionCreate";
import { SubscriptionEdit } from "./SubscriptionEdit";
import { SubscriptionList } from "./SubscriptionList";

export default { list: SubscriptionList, edit: SubscriptionEdit, create: SubscriptionCreate, icon: Icon, options: { label: "Subscriptions" } };

import Icon from "@mui/icons-material/MarkEmailUnread";

import { DeadLetterList } from "./DeadLetterList";

export default { list: DeadLetterList, icon: Icon, options: { label: "Dead letters" } };

import Icon from "@mui/icons-material/Hub";

import { IntegrationCreate } from "./IntegrationCreate";
import { IntegrationEdit } from "./IntegrationEdit";
import { IntegrationList } from "./IntegrationList";
import { IntegrationShow } from "./IntegrationShow";

export default {
  list: IntegrationList,
  show: IntegrationShow,
  edit: IntegrationEdit,
  create: IntegrationCreate,
  icon: Icon,
  recordRepresentation: "name",
};

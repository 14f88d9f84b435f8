import Icon from "@mui/icons-material/UploadFile";

import { RosterPackageList } from "./RosterPackageList";
import { RosterPackageShow } from "./RosterPackageShow";
import { RosterPackageUpload } from "./RosterPackageUpload";

export default {
  list: RosterPackageList,
  show: RosterPackageShow,
  create: RosterPackageUpload,
  icon: Icon,
  recordRepresentation: "name",
  options: { label: "Roster packages" },
};

export { EnrolmentPage } from "./EnrolmentPage";
export { ENROLMENT_ROUTE } from "./endpoint";
export { LoginPage } from "./LoginPage";
export { AtriumLayout } from "./Layout";

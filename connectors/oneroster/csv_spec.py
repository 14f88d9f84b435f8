"""The OneRoster 1.2 CSV binding's file headers (column order is normative)."""

from __future__ import annotations

HEADERS: dict[str, tuple[str, ...]] = {
    name: tuple(text.split(","))
    for name, text in {
        "orgs": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
        "academicSessions": "sourcedId,status,dateLastModified,title,type,startDate,endDate,"
        "parentSourcedId,schoolYear",
        "courses": "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
        "orgSourcedId,subjects,subjectCodes",
        "classes": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,"
        "classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods",
        "users": "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,"
        "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,"
        "userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,"
        "preferredFamilyName,primaryOrgSourcedId,pronouns",
        "roles": "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
        "orgSourcedId,userProfileSourcedId",
        "enrollments": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
        "userSourcedId,role,primary,beginDate,endDate",
        "demographics": "sourcedId,status,dateLastModified,birthDate,sex,"
        "americanIndianOrAlaskaNative,asian,blackOrAfricanAmerican,"
        "nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,"
        "hispanicOrLatinoEthnicity,countryOfBirthCode,stateOfBirthAbbreviation,cityOfBirth,"
        "publicSchoolResidenceStatus",
    }.items()
}

# Files read in this order so references can be checked against what came before.
READ_ORDER = ("orgs", "academicSessions", "courses", "classes", "roles", "users", "enrollments")
ORG_TYPES = {"department", "school", "district", "local", "state", "national"}
SESSION_TYPES = {"gradingPeriod", "semester", "schoolYear", "term"}
STATUSES = {"active", "tobedeleted"}

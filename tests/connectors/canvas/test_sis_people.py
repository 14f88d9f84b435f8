"""Who a SIS Import would create is read from the files Canvas treats as user or login files
(by header, as Canvas recognises them), whatever they are called and whichever way they come."""

from __future__ import annotations

import io
import zipfile

from connectors.canvas.sis_people import people_in_import

USERS = (
    "User_ID , Login_ID,first_name,last_name,status\n"
    "stu-1,s1,A,B,active\n"
    "stu-2,s2,C,D,deleted\n"
    "stu-3,s3,E,F,active\n"
    "stu-1,s1,A,B,active\n"
)
LOGINS = "user_id,login_id,existing_user_id\nstu-4,s4-alt,stu-9\n"
ENROLLMENTS = "course_id,user_id,role,section_id,status\nc1,stu-5,student,s1,active\n"


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_user_and_login_files_name_the_people_an_import_creates() -> None:
    data = _zip({"people.csv": USERS, "x/logins.csv": LOGINS, "enrollments.csv": ENROLLMENTS})
    assert people_in_import(data, "zip") == ["stu-1", "stu-3", "stu-4"]


def test_a_single_csv_upload_is_read_too_and_other_files_name_no_one() -> None:
    assert people_in_import(("\ufeff" + USERS).encode(), "csv") == ["stu-1", "stu-3"]
    assert people_in_import(ENROLLMENTS.encode(), "csv") == []
    assert people_in_import(b"not a zip", "zip") == []

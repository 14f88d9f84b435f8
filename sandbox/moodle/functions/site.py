"""core_webservice_get_site_info (webservice/externallib.php): who the token belongs to."""

from __future__ import annotations

from typing import Any

from sandbox.moodle import store
from sandbox.moodle.functions.base import ExternalFunction, Site
from sandbox.moodle.params import DEFAULT, Multiple, Single, Value

RELEASE = "4.5.1 (Build: 20241209)"
VERSION = "2024100701"


def get_site_info(site: Site, params: dict[str, Any]) -> dict[str, Any]:
    admin = site.conn.execute("SELECT * FROM user WHERE id = ?", (store.ADMIN_ID,)).fetchone()
    course = site.conn.execute(
        "SELECT fullname FROM course WHERE id = ?", (store.SITEID,)
    ).fetchone()
    return {
        "sitename": course["fullname"],
        "username": admin["username"],
        "firstname": admin["firstname"],
        "lastname": admin["lastname"],
        "fullname": f"{admin['firstname']} {admin['lastname']}",
        "lang": "en",
        "userid": admin["id"],
        "siteurl": site.wwwroot,
        "userpictureurl": f"{site.wwwroot}/theme/image.php/boost/core/1/u/f1",
        "functions": [{"name": n, "version": f.version} for n, f in sorted(site.functions.items())],
        "downloadfiles": 1,
        "uploadfiles": 1,
        "release": RELEASE,
        "version": VERSION,
        "mobilecssurl": "",
        "advancedfeatures": [
            {"name": "usecomments", "value": 1},
            {"name": "usetags", "value": 1},
            {"name": "enablenotes", "value": 1},
            {"name": "messaging", "value": 1},
            {"name": "enableblogs", "value": 1},
            {"name": "enablecompletion", "value": 1},
            {"name": "enablebadges", "value": 1},
            {"name": "mnet_dispatcher_mode", "value": 0},
        ],
        "usercanmanageownfiles": True,
        "userquota": 104857600,
        "usermaxuploadfilesize": 104857600,
        "userhomepage": 1,
        "userprivateaccesskey": "",
        "siteid": store.SITEID,
        "sitecalendartype": "gregorian",
        "usercalendartype": "gregorian",
        "userissiteadmin": True,
        "theme": "boost",
        "limitconcurrentlogins": 0,
        "policyagreed": 1,
    }


FUNCTIONS = [
    ExternalFunction(
        "core_webservice_get_site_info",
        Single({"serviceshortnames": Multiple(Value("alphanumext"), DEFAULT, [])}),
        get_site_info,
    ),
]

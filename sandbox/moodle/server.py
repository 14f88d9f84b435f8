"""``/webservice/rest/server.php``: the order of checks of ``webservice_base_server::run()``.

parse_request (GET and POST merged, PHP bracket arrays) -> authenticate_by_token ->
load_function_info -> validate_parameters -> execute -> send_response, with every exception
turned into the 200-with-exception answer of ``generate_error()``.
"""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from sandbox.context import SystemContext
from sandbox.moodle import malformed, rendering
from sandbox.moodle.errors import InvalidParameter, MoodleException, invalid_token, missing_function
from sandbox.moodle.functions import REGISTRY, Site
from sandbox.moodle.params import validate
from sandbox.moodle.phpargs import PhpArray, merge_get_post, parse_pairs
from sandbox.moodle.ratelimit import SlidingWindow

# moodlewssettingXXX parameters are settings of the call, not function parameters.
_SETTINGS = ("raw", "fileurl", "filter", "lang", "timezone")


async def read_parameters(request: Request) -> PhpArray:
    query = parse_pairs(parse_qsl(request.url.query, keep_blank_values=True))
    form: PhpArray = {}
    if request.method == "POST":
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            data = await request.form()
            form = parse_pairs((k, v) for k, v in data.multi_items() if isinstance(v, str))
        else:
            body = (await request.body()).decode("utf-8", errors="replace")
            form = parse_pairs(parse_qsl(body, keep_blank_values=True))
    return merge_get_post(query, form)


class RestServer:
    def __init__(self, ctx: SystemContext, site: Site) -> None:
        self.ctx = ctx
        self.site = site
        self.window = SlidingWindow()
        self.rng = random.Random(ctx.seed)

    async def handle(self, request: Request) -> Response:
        limited = self.window.check(self.ctx.faults.rate_limit_per_second)
        if limited is not None:
            return limited
        params = await read_parameters(request)
        fmt = params.pop("moodlewsrestformat", "xml")
        restformat = "json" if fmt == "json" else "xml"
        for name in _SETTINGS:
            params.pop(f"moodlewssetting{name}", None)
        self.site.wwwroot = str(request.base_url).rstrip("/")
        try:
            result = self.call(params)
        except MoodleException as exc:
            body = rendering.php_json(exc.as_json()) if restformat == "json" else exc.as_xml()
            return self.respond(body, restformat)
        body = rendering.php_json(result) if restformat == "json" else rendering.php_xml(result)
        return self.respond(body, restformat)

    def call(self, params: PhpArray) -> Any:
        token = params.pop("wstoken", None)
        if not isinstance(token, str) or token != self.ctx.credentials.get("token"):
            raise invalid_token()
        name = params.pop("wsfunction", None)
        if not name:
            raise InvalidParameter("Missing function name")
        function = REGISTRY.get(str(name)) if isinstance(name, str) else None
        if function is None:
            raise missing_function(str(name))
        cleaned = validate(function.parameters, params)
        result = function.handler(self.site, cleaned)
        return malformed.malform(name, result, self.ctx.faults.malformed_rate, self.rng)

    @staticmethod
    def respond(body: str, restformat: str) -> Response:
        headers = dict(rendering.HEADERS)
        if restformat == "json":
            return Response(body, media_type="application/json", headers=headers)
        headers["Content-Disposition"] = 'inline; filename="response.xml"'
        return Response(body, media_type="application/xml; charset=utf-8", headers=headers)

"""Post-processing of the generated OpenAPI schema (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]).

- Request bodies whose views refuse unknown keys say so (``additionalProperties: false``).
- OpenAPI links from the operations that return a run, course or lesson to the operations that
  take it, so clients (and schemathesis' stateful phase) can follow them.
"""

#: Request components whose views answer 400 for an unknown key.
CLOSED_REQUESTS = ("SettingsRequest", "PatchedSettingsRequest")

_RUN_LINKS = {
    "GetRun": "runs_retrieve",
    "AnswerInRun": "runs_answers_create",
    "AbandonRun": "runs_abandon_create",
}
_COURSE_LINKS = {
    "GetCourse": "courses_retrieve",
    "EnrolInCourse": "courses_enrol_create",
    "GetCoursePath": "courses_path_retrieve",
    "StartReview": "courses_review_create",
}


def _links(targets: dict[str, str], parameter: str, expression: str) -> dict:
    return {name: {"operationId": op, "parameters": {parameter: expression}} for name, op in targets.items()}


def _add_links(schema: dict, path: str, method: str, status: str, links: dict) -> None:
    response = schema["paths"].get(path, {}).get(method, {}).get("responses", {}).get(status)
    if response is not None:
        response.setdefault("links", {}).update(links)


def postprocess(result, generator, request, public):
    components = result.get("components", {}).get("schemas", {})
    for name in CLOSED_REQUESTS:
        if name in components:
            components[name]["additionalProperties"] = False
    run_links = _links(_RUN_LINKS, "id", "$response.body#/id")
    _add_links(result, "/api/v1/lessons/{slug}/runs/", "post", "201", run_links)
    _add_links(result, "/api/v1/courses/{slug}/review/", "post", "201", run_links)
    _add_links(
        result, "/api/v1/courses/", "get", "200", _links(_COURSE_LINKS, "slug", "$response.body#/results/0/slug")
    )
    _add_links(
        result,
        "/api/v1/courses/{slug}/path/",
        "get",
        "200",
        {
            "StartNextLesson": {
                "operationId": "lessons_runs_create",
                "parameters": {"slug": "$response.body#/next_lesson"},
            }
        },
    )
    return result

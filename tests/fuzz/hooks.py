"""A schemathesis check for connpay-sandbox: every 4xx answer carries the documented error body.

schemathesis' own response_schema_conformance validates the bodies of documented statuses; this check holds
for every 4xx, documented or not (405 for an unsupported method, 404 for an unknown path): the body is
{"error": {"cause", "code", "message"}, "invoiceId"?} with a cause of the server's own cause enums, as its
document lists them (ErrorDetail* components).
"""

import json

import schemathesis


def documented_causes(raw_schema):
    """Every error.cause value the document allows, from its ErrorDetail* components."""
    schemas = raw_schema.get("components", {}).get("schemas", {})
    causes = set()
    for name, schema in schemas.items():
        if not name.startswith("ErrorDetail"):
            continue
        cause = schema["properties"]["cause"]
        ref = cause.get("$ref", "")
        target = schemas.get(ref.rsplit("/", 1)[-1], cause)
        causes.update(target.get("enum", []))
    return causes


@schemathesis.check
def documented_error_body(ctx, response, case):
    """A 4xx answer is the documented error body, with a documented cause."""
    if not 400 <= response.status_code < 500:
        return
    try:
        body = json.loads(response.content or b"")
    except ValueError as error:
        raise AssertionError(f"{response.status_code} without a JSON body: {error}") from None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        raise AssertionError(f"{response.status_code} without an `error` object")
    for field in ("cause", "code", "message"):
        if not isinstance(error.get(field), str):
            raise AssertionError(f"{response.status_code}: error.{field} is not a string")
    causes = documented_causes(case.operation.schema.raw_schema)
    if error["cause"] not in causes:
        raise AssertionError(f"{response.status_code}: error.cause {error['cause']!r} is not one of {sorted(causes)}")
    invoice_id = body.get("invoiceId")
    if invoice_id is not None and not isinstance(invoice_id, str):
        raise AssertionError(f"{response.status_code}: invoiceId is not a string")

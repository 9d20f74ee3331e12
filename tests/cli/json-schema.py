#!/usr/bin/env python3
"""json-schema.py SCHEMA FILE...: validates each FILE (one gopm --json document) against the
JSON Schema SCHEMA (doc/gopm.schema.json) with python3-jsonschema. Prints one line per
failure and a last line "checked N documents, M invalid"; exits 1 when any is invalid, 77
(skipped, for automake) when the jsonschema module is missing."""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("SKIP: python3-jsonschema is not installed (tools/deps installs it)")
    sys.exit(77)


def main():
    if len(sys.argv) < 2:
        print("usage: json-schema.py SCHEMA FILE...", file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    bad = 0
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
        try:
            doc = json.loads(text)
        except ValueError as e:
            print("FAIL: %s: not one JSON document: %s" % (path, e))
            bad += 1
            continue
        # The contract's order: "schema" first, then "command".
        keys = list(doc) if isinstance(doc, dict) else []
        if keys[:2] != ["schema", "command"]:
            print("FAIL: %s: does not begin with \"schema\", \"command\"" % path)
            bad += 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors[:3]:
            where = "/".join(str(p) for p in e.absolute_path)
            print("FAIL: %s (%s): /%s: %s" % (path, doc.get("command"), where, e.message[:200]))
        bad += bool(errors)
    print("checked %d documents, %d invalid" % (len(sys.argv) - 2, bad))
    return 1 if bad else 0


sys.exit(main())

#!/usr/bin/env python3
"""check_sarif.py SCHEMA SARIF (--results N | --report REPORT) [--clause ID] [--steps N]
[--threads N] [--uri URI] [--line N]

Validates a SARIF log written by `logoffcheck certify --sarif` against the
SARIF 2.1.0 JSON schema (tests/ci/sarif-schema-2.1.0.json, OASIS) and checks
what docs/ci.md promises of it: the clause catalog as rules, one result per
failing clause with the clause as ruleId and a location, a code flow with one
location per counterexample step (one thread flow per thread with --threads),
executionOrder across the thread flows, the model's state, exactly one
essential step, and a partial fingerprint. With --report, the results are
exactly the clauses that JSON report marks "fail", in its order (a racy store
can fail RC-3 and RC-4 in one run, and which it fails varies from run to run).
The code flow is checked on the result that names the counterexample's clause:
the one result with a code flow. Exits 1 naming the first problem.
"""
import argparse
import json
import sys

import jsonschema


def fail(problem):
    print(f"FAIL: {problem}", file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("schema")
    parser.add_argument("sarif")
    count = parser.add_mutually_exclusive_group(required=True)
    count.add_argument("--results", type=int)
    count.add_argument("--report", help="the run's JSON report: one result per failing clause")
    parser.add_argument("--clause")
    parser.add_argument("--steps", type=int, help="code flow locations in all")
    parser.add_argument("--threads", type=int, help="thread flows of client threads")
    parser.add_argument("--uri")
    parser.add_argument("--line", type=int)
    args = parser.parse_args()

    with open(args.schema, encoding="utf-8") as f:
        schema = json.load(f)
    with open(args.sarif, encoding="utf-8") as f:
        log = json.load(f)
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    for error in errors[:5]:
        print(f"schema: {'/'.join(map(str, error.absolute_path))}: {error.message}",
              file=sys.stderr)
    if errors:
        fail(f"{len(errors)} schema violations")

    if log["version"] != "2.1.0" or len(log["runs"]) != 1:
        fail("expected one run of SARIF 2.1.0")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    rule_ids = [rule["id"] for rule in rules]
    if len(rule_ids) != 20 or rule_ids[0] != "SL-1" or "RC-4" not in rule_ids:
        fail(f"the rules are not the clause catalog: {rule_ids}")
    for rule in rules:
        if not rule["shortDescription"]["text"] or "Source:" not in rule["help"]["text"]:
            fail(f"rule {rule['id']} lacks its statement or its source")
    results = run["results"]
    if args.report:
        with open(args.report, encoding="utf-8") as f:
            failing = [c["id"] for c in json.load(f)["clauses"] if c["status"] == "fail"]
        if [r["ruleId"] for r in results] != failing:
            fail(f"results {[r['ruleId'] for r in results]}, the report fails {failing}")
    elif len(results) != args.results:
        fail(f"{len(results)} results, expected {args.results}")
    if not results:
        return
    flowing = [r for r in results if "codeFlows" in r]
    if len(flowing) != 1:
        fail(f"{len(flowing)} results with a code flow, expected the counterexample's one")
    result = flowing[0]
    if args.clause and result["ruleId"] != args.clause:
        fail(f"ruleId {result['ruleId']}, expected {args.clause}")
    if rule_ids[result["ruleIndex"]] != result["ruleId"]:
        fail("ruleIndex does not name the ruleId's rule")
    if "expected" not in result["message"]["text"] or "observed" not in result["message"]["text"]:
        fail(f"the message lacks expected/observed: {result['message']['text']}")
    physical = result["locations"][0]["physicalLocation"]
    if args.uri and physical["artifactLocation"]["uri"] != args.uri:
        fail(f"location {physical['artifactLocation']['uri']}, expected {args.uri}")
    if args.line and physical.get("region", {}).get("startLine") != args.line:
        fail(f"location line {physical.get('region')}, expected {args.line}")
    fingerprint = result["partialFingerprints"]["logoffcheckCounterexample/v1"]
    if len(fingerprint.split(":")[0]) != 64:
        fail(f"fingerprint {fingerprint} is not a SHA-256")
    flows = result["codeFlows"][0]["threadFlows"]
    locations = [location for flow in flows for location in flow["locations"]]
    if args.steps is not None and len(locations) != args.steps:
        fail(f"{len(locations)} code flow locations, expected {args.steps}")
    if args.threads is not None:
        threads = [flow for flow in flows if flow["id"].startswith("thread ")]
        if len(threads) != args.threads:
            fail(f"{len(threads)} thread flows, expected {args.threads}: "
                 f"{[flow['id'] for flow in flows]}")
    orders = sorted(location["executionOrder"] for location in locations)
    if orders != list(range(1, len(locations) + 1)):
        fail(f"executionOrder is not 1..{len(locations)} across the thread flows: {orders}")
    essential = [location for location in locations if location["importance"] == "essential"]
    if len(essential) != 1 or result["ruleId"] not in essential[0]["location"]["message"]["text"]:
        fail("not exactly one essential step naming the clause")
    if not any("ref_count" in location.get("state", {}) for location in locations):
        fail("no code flow location holds the model's state")


if __name__ == "__main__":
    main()

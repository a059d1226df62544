#!/usr/bin/env python3
"""doc_workflows.py LOGOFFCHECK PROVIDER_LIBRARY DOC.md...

Every ```yaml block of the docs is valid YAML (python3-yaml), and the CI
recipes among them do what they say (docs/ci.md, docs/scale.md):

- a GitHub Actions workflow (`jobs:` whose jobs have `steps:`): every `with:`
  is a mapping and every step has `uses` or `run`; the `logoffcheck` lines of
  its `run:` steps are run, job after job, once per value of the job's
  matrix, with `${{ matrix.X }}` replaced by the value;
- a GitLab pipeline (jobs with `script:`): the `logoffcheck` lines of each
  job's script are run once per `parallel:` node with CI_NODE_INDEX and
  CI_NODE_TOTAL set, as GitLab does;
- ```groovy blocks (Jenkins): the `sh '...'` lines that run logoffcheck.

The commands of one recipe run in one scratch directory, so that its merge
finds its shards' reports, with `./libmystore.so` and `/opt/mystore/libmystore.so` replaced by
the bundled reference store's library and `--cases N` by a few hundred; each
must exit 0 (the reference store is conformant). Exits 1 naming each
problem as DOC:LINE.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import yaml

CASES = "300"
problems = []


def problem(where, text):
    problems.append(f"{where}: {text}")
    print(f"FAIL: {where}: {text}", file=sys.stderr)


def blocks(path, language):
    """(first line number, text) of every ```LANGUAGE block of the file."""
    found, inside, start, lines = [], False, 0, []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not inside and line.rstrip() == "```" + language:
                inside, start, lines = True, number + 1, []
            elif inside and line.rstrip() == "```":
                inside = False
                found.append((start, "".join(lines)))
            elif inside:
                lines.append(line)
    return found


def is_logoffcheck(command):
    return re.match(r"^(build/harness/)?logoffcheck\s", command.strip()) is not None


def run(where, command, environment, logoffcheck, library, scratch):
    command = " ".join(command.split())
    command = re.sub(r"^(build/harness/)?logoffcheck", shlex.quote(logoffcheck), command)
    for path in ("./libmystore.so", "/opt/mystore/libmystore.so"):
        command = command.replace(path, shlex.quote(library))
    command = re.sub(r"--cases \d+", f"--cases {CASES}", command)
    command = command.replace("/reports/", "")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CI_NODE", "GITHUB_")) and k != "JOB_COMPLETION_INDEX"}
    env.update(environment)
    result = subprocess.run(["bash", "-c", command], cwd=scratch, env=env,
                            capture_output=True, text=True, timeout=600)
    print(f"{where}: $ {command} -> {result.returncode}", file=sys.stderr)
    if result.returncode != 0:
        problem(where, f"`{command}` exited {result.returncode}:\n{result.stdout[-2000:]}"
                       f"{result.stderr[-2000:]}")


def github_workflow(where, document, run_command):
    for name, job in document["jobs"].items():
        steps = job.get("steps", [])
        for step in steps:
            if not isinstance(step, dict) or not ("uses" in step or "run" in step):
                problem(where, f"job {name}: a step with neither uses nor run: {step}")
            elif "with" in step and not isinstance(step["with"], dict):
                problem(where, f"job {name}: `with` is not a mapping: {step['with']!r}")
        matrix = job.get("strategy", {}).get("matrix", {})
        combinations = [{}]
        for key, values in matrix.items():
            combinations = [dict(c, **{key: v}) for c in combinations for v in values]
        for combination in combinations:
            for step in steps:
                # A folded run (>) is one command; a literal one (|), a command a line.
                for line in str(step.get("run", "")).strip().split("\n"):
                    if not is_logoffcheck(line):
                        continue
                    for key, value in combination.items():
                        line = re.sub(r"\$\{\{\s*matrix\." + key + r"\s*\}\}", str(value), line)
                    if "${{" in line:
                        problem(where, f"an expression left in `{line}`")
                        continue
                    run_command(line, {})


def gitlab_pipeline(where, document, run_command):
    for name, job in document.items():
        if not isinstance(job, dict) or "script" not in job:
            continue
        nodes = int(job.get("parallel", 1))
        for index in range(1, nodes + 1):
            environment = {"CI_NODE_INDEX": str(index), "CI_NODE_TOTAL": str(nodes)} \
                if "parallel" in job else {}
            for line in job["script"]:
                if is_logoffcheck(line):
                    run_command(line, environment)


def main():
    logoffcheck, library, docs = sys.argv[1], sys.argv[2], sys.argv[3:]
    root = tempfile.mkdtemp()
    try:
        check(logoffcheck, library, docs, root)
    finally:
        shutil.rmtree(root)
    sys.exit(1 if problems else 0)


def check(logoffcheck, library, docs, root):
    yaml_blocks = recipes = 0
    for doc in docs:
        for start, text in blocks(doc, "yaml"):
            where = f"{doc}:{start}"
            scratch = tempfile.mkdtemp(dir=root)  # one per recipe: its merge sees its shards
            yaml_blocks += 1
            try:
                document = yaml.safe_load(text)
            except yaml.YAMLError as error:
                problem(where, f"not valid YAML: {error}")
                continue

            def run_command(command, environment, where=where, scratch=scratch):
                run(where, command, environment, logoffcheck, library, scratch)

            if isinstance(document, dict) and isinstance(document.get("jobs"), dict):
                recipes += 1
                github_workflow(where, document, run_command)
            elif isinstance(document, dict) and any(
                    isinstance(job, dict) and "script" in job for job in document.values()):
                recipes += 1
                gitlab_pipeline(where, document, run_command)
        for start, text in blocks(doc, "groovy"):
            scratch = tempfile.mkdtemp(dir=root)
            recipes += 1
            for line in re.findall(r"^\s*sh '([^']*)'", text, re.MULTILINE):
                if is_logoffcheck(line):
                    run(f"{doc}:{start}", line, {}, logoffcheck, library, scratch)
    print(f"{yaml_blocks} YAML blocks parsed, {recipes} CI recipes run", file=sys.stderr)
    if yaml_blocks == 0 or recipes == 0:
        problem(" ".join(docs), "no YAML blocks or no CI recipes found")


if __name__ == "__main__":
    main()

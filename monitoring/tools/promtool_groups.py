#!/usr/bin/env python3
"""Run `promtool test rules` once per test group, so each group counts as one test.

Usage: promtool_groups.py TEST_FILE...
Each group is written to a temporary file (rule_files made absolute, evaluation_interval and
group_eval_order kept) and tested on its own. Prints one line per group and finally
`promtool-tests: N passed, N failed`; exits non-zero if any group failed or promtool is missing.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import yaml


def main(files):
    promtool = shutil.which("promtool")
    if not promtool:
        print("promtool not found (apt-get install -y prometheus)", file=sys.stderr)
        print("promtool-tests: 0 passed, 1 failed")
        return 1
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            with open(path) as f:
                doc = yaml.safe_load(f)
            base = os.path.dirname(os.path.abspath(path))
            rule_files = [p if os.path.isabs(p) else os.path.normpath(os.path.join(base, p))
                          for p in doc.get("rule_files", [])]
            tests = doc.get("tests") or []
            if not tests:
                print(f"FAIL {path}: no test groups")
                failed += 1
                continue
            for i, group in enumerate(tests):
                single = {k: v for k, v in doc.items() if k != "tests"}
                single["rule_files"] = rule_files
                single["tests"] = [group]
                tpath = os.path.join(tmp, f"{os.path.basename(path)}.{i}.yaml")
                with open(tpath, "w") as f:
                    yaml.safe_dump(single, f, sort_keys=False)
                r = subprocess.run([promtool, "test", "rules", tpath], capture_output=True, text=True)
                name = group.get("name", f"#{i}")
                if r.returncode == 0 and "SUCCESS" in r.stdout:
                    passed += 1
                    print(f"ok   {os.path.basename(path)} :: {name}")
                else:
                    failed += 1
                    print(f"FAIL {os.path.basename(path)} :: {name}")
                    print(r.stdout + r.stderr)
    print(f"promtool-tests: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env bash
# Fails when the man page misses a subcommand or an option that the binary's argument parser has, so the
# hand-written page cannot fall behind the code unnoticed.
#   packaging/check-manpage.sh path/to/sluice packaging/deb/sluice.1
set -euo pipefail
binary=${1:?usage: check-manpage.sh BINARY MANPAGE} page=${2:?usage: check-manpage.sh BINARY MANPAGE}
"$binary" --experimental-dump-help | python3 -c '
import json, re, sys
page = open(sys.argv[1]).read().replace("\\-", "-")
missing = []
def walk(command, path):
    for sub in command.get("subcommands", []):
        name = sub["commandName"]
        if name == "help" or not sub.get("shouldDisplay", True):
            continue
        if not re.search(r"^\.(B|TP|SS)?\s*(sluice )?%s\b" % re.escape(name), page, re.M):
            missing.append("subcommand " + " ".join(path + [name]))
        walk(sub, path + [name])
    for argument in command.get("arguments", []):
        if not argument.get("shouldDisplay", True):
            continue
        for n in argument.get("names", []):
            if n["kind"] == "long" and "--" + n["name"] not in page:
                missing.append("option --%s of %s" % (n["name"], " ".join(path) or "sluice"))
walk(json.load(sys.stdin)["command"], [])
for m in sorted(set(missing)):
    print("check-manpage: the man page does not mention the %s" % m, file=sys.stderr)
sys.exit(1 if missing else 0)
' "$page"

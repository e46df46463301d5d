#!/usr/bin/python3
"""Publish a run: copy its results to bench/results/latest.{md,json,png}
and put its tables into doc/benchmarks.md between the markers.

    publish.py RUN_DIR RESULTS_DIR DOC
"""

import os
import re
import shutil
import sys

BEGIN = "<!-- bench:latest:begin (written by bench/run) -->"
END = "<!-- bench:latest:end -->"


def main(run_dir, results_dir, doc):
    with open(os.path.join(run_dir, "results.md")) as f:
        md = f.read()
    with open(os.path.join(results_dir, "latest.md"), "w") as f:
        f.write(md.replace("](results.png)", "](latest.png)"))
    shutil.copyfile(os.path.join(run_dir, "results.json"),
                    os.path.join(results_dir, "latest.json"))
    shutil.copyfile(os.path.join(run_dir, "results.png"),
                    os.path.join(results_dir, "latest.png"))
    if not os.path.exists(doc):
        return
    # the doc's own headings stay on top: demote the run's by two levels
    body = re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", md, flags=re.M)
    body = body.replace("](results.png)", "](../bench/results/latest.png)")
    with open(doc) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        sys.exit("publish: %s lacks the markers %s ... %s" % (doc, BEGIN, END))
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(doc, "w") as f:
        f.write(head + BEGIN + "\n" + body + END + tail)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])

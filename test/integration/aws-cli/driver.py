"""Runs aws CLI commands in one Python process, through the CLI's own driver.

Starting `aws` costs ~0.6 s of Python imports a call; the checks run dozens, so they
share one interpreter. Each line of stdin is a JSON list of arguments (as after `aws`);
each line of stdout is {"rc", "stdout", "stderr"} for it.
"""
import contextlib
import io
import json
import sys

from awscli.clidriver import create_clidriver

for line in sys.stdin:
    args = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = create_clidriver().main(args)
        except SystemExit as exit:
            rc = exit.code if isinstance(exit.code, int) else 1
    sys.__stdout__.write(json.dumps({"rc": rc, "stdout": out.getvalue(), "stderr": err.getvalue()}) + "\n")
    sys.__stdout__.flush()

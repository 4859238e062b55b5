"""The README's code example runs and prints what the README says."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path


def test_readme_example_runs(repo: Path, tmp_path: Path) -> None:
    readme = (repo / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", readme, re.S)
    assert code, "the README has a python example"
    script = tmp_path / "example.py"
    script.write_text(code.group(1))
    out = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={"TOOLHOOKS_DISABLE_PLUGIN_AUTOLOAD": "1", "PATH": ""},
    )
    assert out.returncode == 0, out.stderr
    first, second = (ast.literal_eval(line) for line in out.stdout.splitlines())
    assert first["tool_call_id"] == "call_1"
    assert json.loads(first["content"]) == {"city": "Paris", "days": 1, "unit": "C", "sky": "clear"}
    error = json.loads(second["content"])["error"]
    assert error["type"] == "unknown_tool"
    assert error["suggestion"] == "Did you mean 'forecast'?"
    assert error["message"] in " ".join(readme.split())  # the README quotes it

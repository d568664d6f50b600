"""Write workflow/envs/msk-cooccurrence.yaml from requirements.lock: the package's runtime
dependencies (the closure `uv pip compile pyproject.toml` finds without the test extra) at the
lock's versions. Run after changing the lock: python .ci/pin_env.py (needs uv)."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# The jobs' environment for `snakemake --sdm conda` (every rule runs the same package, so every
# rule names this one file): Python and the package's runtime dependencies at the versions of
# requirements.lock (written by .ci/pin_env.py; tests/test_catalog.py checks they agree). The
# package itself is read from src/ beside this workflow (workflow/scripts/_package.py), so a job
# runs the code of the workflow it belongs to.
channels:
  - conda-forge
  - nodefaults
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def main() -> None:
    runtime = subprocess.run(
        [
            "uv",
            "pip",
            "compile",
            "pyproject.toml",
            "--universal",
            "--python-version",
            "3.11",
            "--no-header",
            "--no-annotate",
            "-q",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = {m.lower() for m in re.findall(r"^([A-Za-z0-9_.-]+)==", runtime, flags=re.MULTILINE)}
    lock = (ROOT / "requirements.lock").read_text()
    pins = [
        f"{name}=={version}{marker}"
        for name, version, marker in re.findall(
            r"^([A-Za-z0-9_.-]+)==([^ \\;]+)( ;[^\\\n]+)?", lock, flags=re.MULTILINE
        )
        if name.lower() in names
    ]
    lines = [f'      - "{p.strip()}"' if ";" in p else f"      - {p}" for p in pins]
    (ROOT / "workflow" / "envs" / "msk-cooccurrence.yaml").write_text(HEADER + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

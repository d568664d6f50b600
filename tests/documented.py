"""Every shell command the documentation shows, so that a test can run each as written.

Commands are taken from ```bash blocks and from inline code spans that start with a command
(snakemake, python, pip, cp, uv) in README.md, config/README.md and docs/*.md, and from the
comment lines of config/examples/*.yaml that show how to run them. `python tests/documented.py
--run-examples` runs each example config's command in full (CI does, on a fresh clone).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PROGRAMS = ("snakemake", "python", "pip", "cp", "uv")
ALTERNATIVES = "|".join(PROGRAMS)
INLINE = re.compile(rf"`((?:{ALTERNATIVES}) [^`]+)`")
FENCE = re.compile(r"```(?:bash|sh|shell)\n(.*?)```", re.DOTALL)
HEADER = re.compile(rf"^#\s+(?:Run:\s+)?((?:{ALTERNATIVES}) .+)$", re.MULTILINE)


def documents() -> list[Path]:
    return [PROJECT / "README.md", PROJECT / "config" / "README.md", *sorted((PROJECT / "docs").glob("*.md"))]


def examples() -> list[Path]:
    return sorted((PROJECT / "config" / "examples").glob("*.yaml"))


def commands_in(path: Path) -> list[str]:
    """The commands a file shows, in the order a reader meets them (fences and inline spans)."""
    text = path.read_text()
    if path.suffix == ".yaml":
        return [m.group(1).strip() for m in HEADER.finditer(text.split("\n\n")[0])]
    found = []
    for match in re.finditer(FENCE.pattern + "|" + INLINE.pattern, text, flags=re.DOTALL):
        block, inline = match.group(1), match.group(2)
        if inline:
            found.append(" ".join(inline.split()))  # a span may break across lines
            continue
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" #")[0].strip()
            if line and not line.startswith("#"):
                found.extend(part.strip() for part in line.split("&&"))
    return found


def all_commands() -> dict[Path, list[str]]:
    return {path: commands_in(path) for path in [*documents(), *examples()]}


def targets_after_configfile(command: str) -> list[str]:
    """Words after `--configfile`'s files that Snakemake would also read as config files (issue 6)."""
    words = shlex.split(command)
    if words[0] != "snakemake" or "--configfile" not in words:
        return []
    after = words[words.index("--configfile") + 1 :]
    files = [w for w in after[:1]]
    rest = after[1:]
    stray = []
    for word in rest:
        if word.startswith("-"):
            break
        if not word.endswith((".yaml", ".yml", ".json")):
            stray.append(word)
        files.append(word)
    return stray


def run_examples() -> int:
    """Each example config's documented command, in full, here (a fresh clone); the exit status."""
    failed = 0
    for path in examples():
        for command in commands_in(path):
            print(f"== {path.name}: {command}", flush=True)
            failed += subprocess.run(shlex.split(command), cwd=PROJECT).returncode != 0
    return failed


if __name__ == "__main__":
    if sys.argv[1:] == ["--run-examples"]:
        sys.exit(run_examples())
    for path, found in all_commands().items():
        for command in found:
            print(f"{path.relative_to(PROJECT)}: {command}")

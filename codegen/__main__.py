"""``python -m codegen [--check]``: regenerate the SDK from spec/, or check it is up to date."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from .render import GENERATED_PACKAGES, Renderer, format_sources, with_resources_table
from .spec import SpecError, load

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "welkin"


README = "README.md"  # key of the README in the file maps (its path is ROOT / README)


def generated_files() -> dict[str, str]:
    spec = load(ROOT / "spec")
    files = format_sources(Renderer(spec).files())
    files[README] = with_resources_table((ROOT / README).read_text(), spec)
    return files


def existing_files() -> dict[str, str]:
    found = {README: (ROOT / README).read_text()}
    for package in GENERATED_PACKAGES:
        for path in sorted((PACKAGE / package).glob("*.py")):
            found[str(path.relative_to(PACKAGE))] = path.read_text()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the output is stale")
    args = parser.parse_args(argv)
    try:
        files = generated_files()
    except SpecError as exc:
        print(f"spec error: {exc}", file=sys.stderr)
        return 2
    current = existing_files()
    if args.check:
        stale = sorted(
            name for name in files.keys() | current.keys() if files.get(name) != current.get(name)
        )
        for name in stale:
            diff = difflib.unified_diff(
                current.get(name, "").splitlines(),
                files.get(name, "").splitlines(),
                f"committed/{name}",
                f"generated/{name}",
                lineterm="",
            )
            print("\n".join(diff), file=sys.stderr)
        if stale:
            print(
                f"generated code is stale: {', '.join(stale)}; run `nox -s codegen`",
                file=sys.stderr,
            )
            return 1
        print(f"generated code is up to date ({len(files)} files)")
        return 0
    for name in current.keys() - files.keys():
        (PACKAGE / name).unlink()
    for name, source in sorted(files.items()):
        target = ROOT / README if name == README else PACKAGE / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if current.get(name) != source:
            target.write_text(source)
    print(f"wrote {len(files) - 1} files under src/welkin/ and the README's resource table")
    return 0


if __name__ == "__main__":
    sys.exit(main())

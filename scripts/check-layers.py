#!/usr/bin/env python3
"""Checks that every module under src/ keeps to the layers DESIGN.md §2 draws.

Run by scripts/test.sh (and by hand: `scripts/check-layers.py`); exits 1 and
names each violation. The rules, read from the modules' own CMakeLists.txt:

1. A file in src/M includes headers only of M and of the modules M declares
   in `DEPS` (and what those declare, transitively: linking is transitive).
   Test files (*_test.cc and the fixtures they share) may also use the
   modules named in `TEST_DEPS`.
2. No file includes another module's `*_store.h`: a module calls the other
   module's service, never its SQL. The same holds for bench/.
3. No file outside a module names that module's tables in SQL: each
   `CREATE TABLE` belongs to the module whose migration creates it. A test
   may count another module's rows (`SELECT COUNT(*) FROM t`) as evidence
   that something was or was not stored, nothing more.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def set_root(root: pathlib.Path) -> None:
    """Checks another tree (the checker's own test fixture)."""
    global ROOT, SRC
    ROOT, SRC = root, root / "src"

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_0-9]+)/([^"]+)"', re.M)
CALL = re.compile(r"xietong_module\(\s*(\w+)(.*?)\)", re.S)
CREATE = re.compile(r"CREATE\s+(?:VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.I)
# Library targets that are a module's test support, not a module.
TESTING_LIBS = {"storage_testing": "storage", "http_testing": "http"}
TEST_SUPPORT = re.compile(r"(_test\.cc|_fixture\.h|^testing\.(h|cc)|^test_client\.(h|cc))$")


def module_of(lib: str) -> str | None:
    if not lib.startswith("xietong_"):
        return None
    name = lib[len("xietong_"):]
    if name in TESTING_LIBS:
        return TESTING_LIBS[name]
    return "app" if name == "app_lib" else name


def declared(section: str, body: str) -> set[str]:
    m = re.search(rf"\b{section}\b(.*?)(?:\b(?:SOURCES|DEPS|TESTS|TEST_DEPS)\b|$)", body, re.S)
    if not m:
        return set()
    return {mod for tok in m.group(1).split() if (mod := module_of(tok))}


def read_modules() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    deps, test_deps = {}, {}
    for cmake in sorted(SRC.glob("*/CMakeLists.txt")):
        folder = cmake.parent.name
        text = cmake.read_text()
        call = CALL.search(text)
        if not call:
            sys.exit(f"{cmake}: no xietong_module(...) call")
        deps[folder] = declared("DEPS", call.group(2)) - {folder}
        test_deps[folder] = declared("TEST_DEPS", call.group(2))
        # Test executables declared outside xietong_module (app_test) list theirs
        # in target_link_libraries.
        for link in re.finditer(r"target_link_libraries\(\s*\w*_test\s+PRIVATE(.*?)\)", text, re.S):
            test_deps[folder] |= {mod for tok in link.group(1).split() if (mod := module_of(tok))}
    return deps, test_deps


def closure(deps: dict[str, set[str]], start: set[str]) -> set[str]:
    seen, todo = set(), list(start)
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo.extend(deps.get(m, ()))
    return seen


def tables_by_module() -> dict[str, str]:
    owner = {}
    for path in SRC.rglob("*.cc"):
        if TEST_SUPPORT.search(path.name):
            continue
        module = path.relative_to(SRC).parts[0]
        for table in CREATE.findall(path.read_text()):
            owner.setdefault(table.lower(), module)
    return owner


def main() -> int:
    deps, test_deps = read_modules()
    owner = tables_by_module()
    sql_use = {
        table: re.compile(rf"\b(?:FROM|JOIN|INTO|UPDATE)\s+{table}\b", re.I) for table in owner
    }
    problems = []
    files = [p for p in SRC.rglob("*") if p.suffix in (".cc", ".h")]
    files += [p for p in (ROOT / "bench").rglob("*") if p.suffix in (".cc", ".h")]
    for path in sorted(files):
        rel = path.relative_to(ROOT)
        text = path.read_text()
        in_src = rel.parts[0] == "src"
        module = rel.parts[1] if in_src else None
        allowed = None
        if module is not None:
            start = deps.get(module, set()) | {module}
            if TEST_SUPPORT.search(path.name):
                start |= test_deps.get(module, set())
            allowed = closure(deps, start)
        for match in INCLUDE.finditer(text):
            target, header = match.group(1), match.group(2)
            line = text.count("\n", 0, match.start()) + 1
            if not (SRC / target).is_dir():
                continue
            if allowed is not None and target not in allowed:
                problems.append(
                    f"{rel}:{line}: {module} includes {target}/{header}, but {module} does not "
                    f"declare {target} (src/{module}/CMakeLists.txt)")
            if header.endswith("_store.h") and target != module:
                problems.append(
                    f"{rel}:{line}: includes {target}/{header}: call the {target} service, "
                    "not its store")
        if module is None:
            continue
        is_test = bool(TEST_SUPPORT.search(path.name))
        for table, pattern in sql_use.items():
            if owner[table] == module:
                continue
            for hit in pattern.finditer(text):
                if is_test and text[max(0, hit.start() - 16):hit.start()].endswith("COUNT(*) "):
                    continue
                line = text.count("\n", 0, hit.start()) + 1
                problems.append(
                    f"{rel}:{line}: SQL on table {table}, which belongs to {owner[table]}/: "
                    f"ask the {owner[table]} service")
                break
    for p in problems:
        print(p)
    if problems:
        print(f"check-layers: {len(problems)} violation(s)", file=sys.stderr)
        return 1
    print(f"check-layers: {len(files)} files keep to the layers of {len(deps)} modules")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--root":
        set_root(pathlib.Path(sys.argv[2]).resolve())
    elif len(sys.argv) != 1:
        sys.exit("usage: check-layers.py [--root DIR]")
    sys.exit(main())

#!/usr/bin/env python3
"""Checks the size rules of DEVELOPERS.md on the project's C++ sources:

  no source file over 500 lines, no function over 80 lines, and (libdkm/README.md's
  layout rule) no function body in a libdkm header longer than a line or two, no
  `detail` namespace in a libdkm header, and no `#include "../..."` in libdkm (the
  build's per-module include paths check the dependency rule; a relative path would
  go around them).

  cmake/check_source_size.py [--root DIR] [--max-file N] [--max-function N]
                             [--max-header-body N] [--list N]

Prints each violation as FILE:LINE: message and exits 1 when there is one, 0 when
there is none, 2 on bad usage. --list N also prints the N longest files and functions.
Run by CTest as `source_size` (label "unit").

A function is found the way a reader finds one: a '{' at namespace or class level
whose head (the text since the previous ';', '{' or '}') has a parameter list. Comments,
string and character literals are blanked first. A function's length runs from the
first line of its head to its closing brace; a header body's from the line after '{'
to the line before '}'. A template's body may stay in its header (the layout rule lets
a header hold templates); write one only where a plain function cannot do.
"""

import argparse
import os
import re
import sys

SOURCE_DIRS = ("libdkm", "tools", "tests")
EXTENSIONS = (".cpp", ".hpp", ".h", ".cc")
SCOPE_HEAD = re.compile(r"\b(namespace|class|struct|union|enum)\b|extern\s*$")
CTOR_INIT = re.compile(r"\)\s*(noexcept\s*)?:\s*[^:]")


def blank_literals_and_comments(text):
    """The text with comments, strings and characters replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            k = text.find("(", i)
            delim = ")" + text[i + 2:k] + '"'
            j = text.find(delim, k)
            j = n if j < 0 else j + len(delim)
            out.append('""' + re.sub(r"[^\n]", " ", text[i + 2:j]))
            i = j
        elif c in "\"'":
            if c == "'" and i > 0 and text[i - 1].isalnum():  # digit separator: 1'000
                out.append(c)
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * (j - i - 2) + c if j - i >= 2 else text[i:j])
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(text):
    """(name, head_line, open_line, close_line, is_template) of every function body."""
    code = blank_literals_and_comments(text)
    code = re.sub(r"^[ \t]*#.*$", lambda m: " " * len(m.group(0)), code, flags=re.M)  # preprocessor lines
    found = []
    stack = []  # 'scope', 'function', 'init', 'other'
    head_start = 0
    line = 1
    line_at = []  # line number of each offset, computed lazily below
    for ch in code:
        line_at.append(line)
        if ch == "\n":
            line += 1
    open_at = []
    for i, ch in enumerate(code):
        if ch == ";" and all(k == "scope" for k in stack):
            head_start = i + 1
        elif ch == "{":
            in_scope = all(k == "scope" for k in stack)
            head = code[head_start:i]
            flat = " ".join(head.split())
            kind = "other"
            if in_scope:
                if SCOPE_HEAD.search(flat) and "(" not in flat.split("{")[0].split("=")[0]:
                    kind = "scope"
                elif CTOR_INIT.search(flat) and re.search(r"[\w>]\s*$", flat):
                    kind = "init"  # a member initialised with braces in a constructor's list
                elif "(" in flat and not re.search(r"=\s*$", flat) and not re.match(r"^[^(]*\s=\s", flat):
                    kind = "function"
            stack.append(kind)
            open_at.append((i, head_start))
            if kind not in ("init",):
                head_start = i + 1
        elif ch == "}" and stack:
            kind = stack.pop()
            start, hstart = open_at.pop()
            if kind == "function":
                head = code[hstart:start]
                first = hstart + (len(head) - len(head.lstrip()))
                flat = " ".join(head.split())
                name = re.findall(r"([~\w:]+|operator\s*\S+)\s*\(", flat)
                found.append((name[0] if name else "?", line_at[first], line_at[start], line_at[i],
                              flat.startswith("template")))
            if kind != "init" and all(k == "scope" for k in stack):
                head_start = i + 1
    return found


def source_files(root):
    for top in SOURCE_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = sorted(d for d in dirnames if d not in ("build", "fixtures"))
            for f in sorted(filenames):
                if f.endswith(EXTENSIONS):
                    yield os.path.join(dirpath, f)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--max-file", type=int, default=500)
    parser.add_argument("--max-function", type=int, default=80)
    parser.add_argument("--max-header-body", type=int, default=2)
    parser.add_argument("--list", type=int, default=0, metavar="N")
    args = parser.parse_args()

    problems, sizes, lengths = [], [], []
    for path in source_files(args.root):
        rel = os.path.relpath(path, args.root)
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        sizes.append((lines, rel))
        if lines > args.max_file:
            problems.append(f"{rel}:{lines}: {lines} lines, more than {args.max_file}")
        library_header = rel.startswith("libdkm" + os.sep) and rel.endswith(".hpp")
        if rel.startswith("libdkm" + os.sep):
            for m in re.finditer(r'^\s*#\s*include\s+"\.\./.*$', text, re.M):
                line = text[:m.start()].count("\n") + 1
                problems.append(f"{rel}:{line}: an include that leaves its module's folder (another module's "
                                "private header, out of the build's reach on purpose)")
        if library_header and re.search(r"\bnamespace\s+detail\b", text):
            line = text[:re.search(r"\bnamespace\s+detail\b", text).start()].count("\n") + 1
            problems.append(f"{rel}:{line}: a 'detail' namespace in a header (helpers go in the .cpp)")
        for name, head, opened, closed, template in functions(text):
            length = closed - head + 1
            lengths.append((length, f"{rel}:{head} {name}"))
            if length > args.max_function:
                problems.append(f"{rel}:{head}: function {name} is {length} lines, more than {args.max_function}")
            body = max(0, closed - opened - 1)
            if library_header and not template and body > args.max_header_body:
                problems.append(f"{rel}:{head}: inline function {name} has a {body}-line body in a header "
                                f"(more than {args.max_header_body}: move it to the .cpp)")

    if args.list:
        print(f"longest files:")
        for n, rel in sorted(sizes, reverse=True)[:args.list]:
            print(f"  {n:5} {rel}")
        print(f"longest functions:")
        for n, where in sorted(lengths, reverse=True)[:args.list]:
            print(f"  {n:5} {where}")
    for p in problems:
        print(p)
    print(f"{len(sizes)} files, {len(lengths)} functions: "
          + (f"{len(problems)} problem(s)" if problems else "none over the limits"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

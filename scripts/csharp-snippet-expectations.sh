#!/usr/bin/env bash
# Builds every snippet of CodeMentor.Tests/Data/CSharpSnippets with the real .NET SDK, held the way a
# real project holds that shape of code (see the README there), and writes what `dotnet build`
# reported to expected.json. The tests compare CodeMentor's in-memory Roslyn compile with it.
# Needs the .NET SDK and python3 (standard library only). Takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
data="CodeMentor.Tests/Data/CSharpSnippets"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$data" "$work" <<'PY'
import json, os, re, subprocess, sys

data, work = sys.argv[1], sys.argv[2]
project = os.path.join(work, "Snippet.csproj")

def write_project(output_type):
    with open(project, "w") as f:
        f.write(f"""<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>{output_type}</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
  </PropertyGroup>
</Project>
""")

def snippets(path):
    name, lines = None, []
    for line in open(path).read().split("\n"):
        m = re.match(r"^// ==== (.+) ====$", line)
        if m:
            if name: yield name, "\n".join(lines).rstrip("\n")
            name, lines = m.group(1), []
        elif name is not None:
            lines.append(line)
    if name: yield name, "\n".join(lines).rstrip("\n")

diag = re.compile(r"^(?P<file>[^(]+)\((?P<line>\d+),(?P<col>\d+)\): (?P<sev>warning|error) (?P<id>[A-Z]+\d+): (?P<msg>.*?) \[")

def build(files, output_type):
    for f in os.listdir(work):
        if f.endswith(".cs"): os.remove(os.path.join(work, f))
    for name, text in files.items():
        with open(os.path.join(work, name), "w") as f: f.write(text)
    write_project(output_type)
    run = subprocess.run(["dotnet", "build", project, "--no-restore", "-nologo", "-clp:NoSummary", "-v", "q"],
                         capture_output=True, text=True)
    found = []
    for line in run.stdout.splitlines():
        m = diag.match(line.strip())
        if m and os.path.basename(m.group("file")) in files:
            found.append((m.group("sev"), m.group("id"), int(m.group("line")), m.group("msg")))
    return sorted(set(found), key=lambda d: (d[2], d[1]))

write_project("Exe")
with open(os.path.join(work, "Program.cs"), "w") as f: f.write("return;")
subprocess.run(["dotnet", "restore", project], check=True, capture_output=True)

expected = {}
for shape in ["program", "toplevel", "members", "methods", "expression"]:
    for name, code in snippets(os.path.join(data, shape + ".cs")):
        header = 0
        if shape in ("program", "toplevel"):
            has_main = re.search(r"static\s+(async\s+)?(void|int|Task|Task<int>)\s+Main\s*\(", code) is not None
            kind = "Exe" if shape == "toplevel" or has_main else "Library"
            found = build({"Program.cs": code}, kind)
        elif shape in ("members", "methods"):
            modifier = "static partial" if re.search(r"\(\s*this\s", code) else "partial"
            found = build({"Snippet.cs": f"public {modifier} class Snippet\n{{\n{code}\n}}\n"}, "Library")
            header = 2
        else:
            found = build({"Program.cs": code + ";\n"}, "Exe")
            if any(d[1] == "CS0201" for d in found):
                found = build({"Program.cs": "_ = " + code + ";\n"}, "Exe")
        expected[f"{shape}/{name}"] = [
            {"severity": s, "id": i, "line": max(0, l - header), "message": m} for s, i, l, m in found
        ]
        print(f"{shape}/{name}: {', '.join(f'{i}@{l - header}' for s, i, l, m in found) or 'clean'}", flush=True)

with open(os.path.join(data, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1, ensure_ascii=False)
    f.write("\n")
PY
echo "Wrote $data/expected.json"

"""Language breakdown: lines and files per language at the analysed commit, the language
known from the file's name (its extension, or names such as Makefile), as GitHub's linguist
names them; text files in scope only."""

from __future__ import annotations

import collections
import posixpath

from .ownership import FileOwnership

__all__ = ["LANGUAGE_COLUMNS", "language_of", "languages"]

LANGUAGE_COLUMNS = ("repo", "language", "files", "lines", "share")

_BY_EXTENSION = {
    "C": ".c .h", "C++": ".cc .cpp .cxx .hh .hpp .hxx .ipp .tpp .c++ .h++", "C#": ".cs", "Go": ".go",
    "Rust": ".rs", "Java": ".java", "Kotlin": ".kt .kts", "Scala": ".scala", "Swift": ".swift",
    "Objective-C": ".m", "Objective-C++": ".mm", "Python": ".py .pyi .pyx .pxd", "Ruby": ".rb .rake .gemspec",
    "Perl": ".pl .pm .t", "PHP": ".php", "Lua": ".lua", "Tcl": ".tcl", "R": ".r", "Julia": ".jl",
    "Haskell": ".hs", "OCaml": ".ml .mli", "Erlang": ".erl .hrl", "Elixir": ".ex .exs", "Clojure": ".clj .cljs",
    "JavaScript": ".js .mjs .cjs .jsx", "TypeScript": ".ts .tsx .mts .cts", "HTML": ".html .htm", "CSS": ".css",
    "SCSS": ".scss", "Vue": ".vue", "Shell": ".sh .bash .zsh .ksh", "PowerShell": ".ps1 .psm1",
    "Batchfile": ".bat .cmd", "Makefile": ".mk .mak", "CMake": ".cmake",
    "Assembly": ".s .asm", "SQL": ".sql", "Markdown": ".md .markdown", "reStructuredText": ".rst",
    "AsciiDoc": ".adoc .asciidoc", "Text": ".txt", "Roff": ".1 .2 .3 .5 .7 .8 .man", "TeX": ".tex",
    "JSON": ".json", "YAML": ".yml .yaml", "TOML": ".toml", "XML": ".xml .xsl .svg", "INI": ".ini .cfg",
    "Dockerfile": ".dockerfile", "Protocol Buffer": ".proto", "Nix": ".nix", "Emacs Lisp": ".el",
    "Vim Script": ".vim", "Awk": ".awk", "Sed": ".sed", "Gettext Catalog": ".po .pot",
}
_EXTENSIONS = {ext: language for language, exts in _BY_EXTENSION.items() for ext in exts.split()}
_NAMES = {"makefile": "Makefile", "gnumakefile": "Makefile", "dockerfile": "Dockerfile",
          "cmakelists.txt": "CMake", "meson.build": "Meson", "rakefile": "Ruby", "gemfile": "Ruby",
          "configure.ac": "M4", "jenkinsfile": "Groovy"}


def language_of(path: str) -> str:
    """The language of a file by its name; "Other" when the name does not say."""
    name = posixpath.basename(path).lower()
    if name in _NAMES:
        return _NAMES[name]
    return _EXTENSIONS.get(posixpath.splitext(name)[1], "Other")


def languages(repo: str, ownership: FileOwnership) -> list[tuple]:
    """One row per language, most lines first."""
    files: collections.Counter[str] = collections.Counter()
    lines: collections.Counter[str] = collections.Counter()
    for path in ownership.files:
        language = language_of(path)
        files[language] += 1
        lines[language] += ownership.lines(path)
    total = sum(lines.values())
    return sorted(((repo, lang, files[lang], n, round(n / total, 4) if total else 0.0) for lang, n in lines.items()),
                  key=lambda r: (-r[3], r[1]))

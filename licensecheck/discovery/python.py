"""Model references in Python source, found through the AST (never by grepping text).

A reference is a string that reaches a model-loading call: `X.from_pretrained(...)`,
`pipeline(model=...)`, `hf_hub_download`/`snapshot_download`, `SentenceTransformer(...)`,
vLLM `LLM(model=...)`, ... either as a literal or through a name bound to literals (a module
constant, a function default, a loop over a list, `os.getenv("M", "org/x")`, `a or "org/x"`).
Also: Hugging Face keyword arguments on any call (`model_name_or_path=`, `repo_id=`),
`argparse` defaults of such options, dataclass field defaults (HfArgumentParser style), dict
literals with config keys, `hf-hub:` prefixes and model URLs in string literals.

The reported line is the literal's own line, so a constant defined in one place and used in
another is reported where it is written. Comments, docstrings and strings that never reach a
loader are not references. `# licensecheck: ignore` on a line suppresses the reference there.
"""

from __future__ import annotations

import ast
import io
import re
from dataclasses import dataclass, field

from licensecheck.discovery.ids import LENIENT_KEYS, MODEL_KEYS, STRICT_KEYS, is_model_id
from licensecheck.discovery.urls import find_urls

IGNORE_MARK = re.compile(r"#\s*licensecheck\s*:\s*ignore\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Spec:
    """Where a loader takes the model id: positional slots (first that yields a string wins),
    keywords, and whether a one-part legacy id (`gpt2`) counts."""

    positions: tuple[int, ...]
    keywords: tuple[str, ...]
    single: bool = True
    repo_type: bool = False  # honours repo_type="dataset"/"space" (huggingface_hub calls)
    prefix_single: str | None = None  # library maps `name` to `<prefix>/name`


_HUB_CALL = _Spec((0,), ("repo_id",), True, repo_type=True)

# Callee (last name of the called expression) -> where it takes the model id.
LOADERS: dict[str, _Spec] = {
    "from_pretrained": _Spec(
        (0, 1), ("pretrained_model_name_or_path", "model_id", "repo_id", "model_name_or_path")
    ),
    "pipeline": _Spec((1,), ("model", "tokenizer")),
    "hf_hub_download": _HUB_CALL,
    "snapshot_download": _HUB_CALL,
    "hf_hub_url": _HUB_CALL,
    "model_info": _HUB_CALL,
    "repo_info": _HUB_CALL,
    "list_repo_files": _HUB_CALL,
    "list_repo_tree": _HUB_CALL,
    "file_exists": _HUB_CALL,
    "try_to_load_from_cache": _HUB_CALL,
    "load_adapter": _Spec((0,), ("model_id", "peft_model_id"), single=False),
    "SentenceTransformer": _Spec(
        (0,), ("model_name_or_path",), prefix_single="sentence-transformers"
    ),
    "CrossEncoder": _Spec((0,), ("model_name_or_path", "model_name")),
    "SparseEncoder": _Spec((0,), ("model_name_or_path",)),
    "LLM": _Spec((0,), ("model", "tokenizer"), single=False),
    "EngineArgs": _Spec((0,), ("model", "tokenizer"), single=False),
    "AsyncEngineArgs": _Spec((0,), ("model", "tokenizer"), single=False),
    "InferenceClient": _Spec((0,), ("model",), single=False),
    "AsyncInferenceClient": _Spec((0,), ("model",), single=False),
}
# sentence-transformers loads these legacy transformers ids as they are (no prefix).
_PLAIN_TRANSFORMERS = re.compile(
    r"^(albert|bert|camembert|ctrl|distilbert|distilgpt2|distilroberta|gpt2|openai-gpt|"
    r"roberta|t5|xlm|xlnet)(-|$)"
)
# Keywords that name a model on ANY call (Hugging Face conventions, not generic words).
ANY_CALL_KEYWORDS = LENIENT_KEYS | {"repo_id", "model_id", "model_name", "base_model"}
_HF_HUB_PREFIX = re.compile(r"^hf[-_]hub:")
_ENV_GETTERS = frozenset({"getenv", "get"})
# Calls that publish or manage a repository name the user's own output, not a model in use.
_WRITE_CALLS = (
    "push",
    "upload",
    "create",
    "delete",
    "update",
    "move",
    "rename",
    "merge",
    "duplicate",
    "save",
)
_NON_MODEL_REPO_TYPES = frozenset({"dataset", "space", "datasets", "spaces"})


@dataclass(frozen=True)
class PyRef:
    line: int  # 1-based, in the parsed source
    column: int  # 1-based
    repo_id: str
    revision: str | None
    via: str


@dataclass
class _Scope:
    parent: _Scope | None
    kind: str  # module | function | class
    names: dict[str, list[ast.expr]] = field(default_factory=dict)
    attrs: dict[str, list[ast.expr]] = field(default_factory=dict)  # self.X / cls.X (classes)

    def bind(self, name: str, value: ast.expr) -> None:
        self.names.setdefault(name, []).append(value)


def ignored_lines(source: str) -> set[int]:
    """Lines that carry a `# licensecheck: ignore` comment (a real comment token)."""
    if "licensecheck" not in source:
        return set()  # the common case costs one substring search
    import tokenize  # only for files that mention licensecheck at all

    lines: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT and IGNORE_MARK.search(tok.string):
                lines.add(tok.start[0])
    except (tokenize.TokenError, SyntaxError):
        # Fall back to plain text for source the tokenizer rejects.
        for no, text in enumerate(source.splitlines(), 1):
            if IGNORE_MARK.search(text):
                lines.add(no)
    return lines


def scan_tree(tree: ast.Module, ignored: set[int] | None = None) -> list[PyRef]:
    """Every model reference in a parsed module, sorted by position, de-duplicated."""
    finder = _Finder()
    finder.build(tree, finder.module)
    finder.visit(tree, finder.module)
    ignored = ignored or set()
    seen: set[tuple[int, int, str]] = set()
    out: list[PyRef] = []
    for ref in sorted(finder.refs, key=lambda r: (r.line, r.column, r.repo_id)):
        key = (ref.line, ref.column, ref.repo_id)
        if ref.line in ignored or key in seen:
            continue
        seen.add(key)
        out.append(ref)
    return out


def scan_source(source: str, filename: str = "<source>") -> list[PyRef]:
    """Parse and scan. Raises SyntaxError for source that is not Python."""
    tree = ast.parse(source, filename=filename)
    return scan_tree(tree, ignored_lines(source))


# The token before a string literal that puts it in a call (an argument) or an assignment
# (`X = "org/x"`, `f(model="org/x")`, a list or dict value): where the lexical scan looks.
_LEXICAL_BEFORE = frozenset({"(", ",", "=", "[", ":", "{"})


def scan_lexical(source: str) -> list[PyRef]:
    """References found without parsing: for a file this Python cannot parse (newer syntax).

    `tokenize` reads any Python's tokens; every plain string literal in a call or assignment
    position that is an `org/name` Hub id (or an `hf-hub:` id, or a Hub URL) counts, at its
    own line. This finds more than the AST scan would (it cannot tell a loader from any
    other call), which fails closed: a string that is no model is a reference to judge.
    A tokenizer error stops the scan at that point, with what was found before it."""
    import tokenize

    skip = {tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
    refs: list[PyRef] = []
    previous = ""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in skip:
                continue
            if tok.type == tokenize.STRING and previous in _LEXICAL_BEFORE:
                refs.extend(_lexical_refs(tok.string, tok.start[0], tok.start[1] + 1))
            previous = tok.string if tok.type == tokenize.OP else ""
    except (tokenize.TokenError, SyntaxError):
        pass
    ignored = ignored_lines(source)
    return [r for r in dict.fromkeys(refs) if r.line not in ignored]


def _lexical_refs(token: str, line: int, column: int) -> list[PyRef]:
    prefix = token[: len(token) - len(token.lstrip("rRuUbBfF"))].lower()
    if "b" in prefix or "f" in prefix:
        return []  # bytes, or an f-string: not a literal id
    try:
        value = ast.literal_eval(token)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return []
    if not isinstance(value, str):
        return []
    text = value.strip()
    if _HF_HUB_PREFIX.match(text):
        repo_id, _, rev = _HF_HUB_PREFIX.sub("", text).partition("@")
        return (
            [PyRef(line, column, repo_id, _normal_revision(rev), "lexical")]
            if is_model_id(repo_id)
            else []
        )
    if is_model_id(text, allow_single=False):
        return [PyRef(line, column, text, None, "lexical")]
    return [
        PyRef(line, column, url.repo_id, _normal_revision(url.revision), "lexical")
        for url in find_urls(value)
    ]


def _callee(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _normal_revision(rev: str | None) -> str | None:
    # `main` is the default branch: naming it is the same reference as naming nothing.
    return None if rev in (None, "", "main") else rev


class _Finder:
    def __init__(self) -> None:
        self.module = _Scope(None, "module")
        self.scopes: dict[int, _Scope] = {}  # id(def/class node) -> its scope
        self.refs: list[PyRef] = []
        self.prose: set[int] = set()  # id() of string statements (docstrings, bare strings)

    # --- pass 1: what each name may hold ------------------------------------------------

    def build(self, node: ast.AST, scope: _Scope) -> None:
        for child in ast.iter_child_nodes(node):
            self._bind(child, scope)
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                inner = _Scope(scope, "function")
                self.scopes[id(child)] = inner
                self._bind_params(child.args, inner)
                self.build(child, inner)
            elif isinstance(child, ast.ClassDef):
                inner = _Scope(scope, "class")
                self.scopes[id(child)] = inner
                self.build(child, inner)
            else:
                self.build(child, scope)

    def _bind_params(self, args: ast.arguments, scope: _Scope) -> None:
        positional = [*args.posonlyargs, *args.args]
        for arg, default in zip(
            positional[len(positional) - len(args.defaults) :], args.defaults, strict=True
        ):
            scope.bind(arg.arg, default)
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            if kw_default is not None:
                scope.bind(arg.arg, kw_default)

    def _bind(self, node: ast.AST, scope: _Scope) -> None:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            # A docstring, or a bare string used as a comment: prose, not code.
            self.prose.add(id(node.value))
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                self._bind_target(target, node.value, scope)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self._bind_target(node.target, node.value, scope)
        elif isinstance(node, ast.NamedExpr):
            scope.bind(node.target.id, node.value)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and isinstance(
            node.iter, (ast.List, ast.Tuple, ast.Set)
        ):
            for elt in node.iter.elts:
                self._bind_target(node.target, elt, scope)

    def _bind_target(self, target: ast.expr, value: ast.expr, scope: _Scope) -> None:
        if isinstance(target, ast.Name):
            scope.bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
            if len(target.elts) == len(value.elts):
                for t, v in zip(target.elts, value.elts, strict=True):
                    self._bind_target(t, v, scope)
        elif (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id in ("self", "cls")
        ):
            owner = self._class_of(scope)
            if owner is not None:
                owner.attrs.setdefault(target.attr, []).append(value)

    @staticmethod
    def _class_of(scope: _Scope | None) -> _Scope | None:
        while scope is not None and scope.kind != "class":
            scope = scope.parent
        return scope

    # --- evaluating an expression to the string literals it may hold -------------------

    def literals(self, node: ast.expr | None, scope: _Scope, depth: int = 0) -> list[ast.Constant]:
        if node is None or depth > 8:
            return []
        if isinstance(node, ast.Constant):
            return [node] if isinstance(node.value, str) else []
        if isinstance(node, ast.Name):
            return [
                lit
                for value in self._lookup(node.id, scope)
                for lit in self.literals(value, scope, depth + 1)
            ]
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner = self._class_of(scope)
            if node.value.id in ("self", "cls") and owner is not None:
                values = owner.attrs.get(node.attr, []) + owner.names.get(node.attr, [])
                return [lit for v in values for lit in self.literals(v, owner, depth + 1)]
            return []
        if isinstance(node, ast.IfExp):
            return self.literals(node.body, scope, depth + 1) + self.literals(
                node.orelse, scope, depth + 1
            )
        if isinstance(node, ast.BoolOp):
            return [lit for v in node.values for lit in self.literals(v, scope, depth + 1)]
        if (
            isinstance(node, ast.Call)
            and _callee(node.func) in _ENV_GETTERS
            and len(node.args) == 2
            and not node.keywords
        ):
            # os.getenv("MODEL", "org/name") / os.environ.get(...): the default is a reference
            return self.literals(node.args[1], scope, depth + 1)
        return []

    def _lookup(self, name: str, scope: _Scope) -> list[ast.expr]:
        current: _Scope | None = scope
        first = True
        while current is not None:
            # Class bodies are not visible by bare name from inside their methods.
            if (first or current.kind != "class") and name in current.names:
                return current.names[name]
            first = False
            current = current.parent
        return []

    # --- pass 2: calls, dicts, fields, URLs -------------------------------------------------

    def visit(self, node: ast.AST, scope: _Scope) -> None:
        for child in ast.iter_child_nodes(node):
            inner = self.scopes.get(id(child), scope)
            if isinstance(child, ast.Call):
                self._call(child, scope)
            elif isinstance(child, ast.Dict):
                self._dict(child, scope)
            elif isinstance(child, ast.AnnAssign) and scope.kind == "class":
                self._field(child, scope)
            elif (
                isinstance(child, ast.Constant)
                and isinstance(child.value, str)
                and id(child) not in self.prose
            ):
                self._urls(child)
            self.visit(child, inner)

    def _add(
        self, lit: ast.Constant, via: str, *, single: bool, revision: str | None = None
    ) -> None:
        value = str(lit.value).strip()
        if not is_model_id(value, allow_single=single):
            return
        self.refs.append(
            PyRef(lit.lineno, lit.col_offset + 1, value, _normal_revision(revision), via)
        )

    def _revision(self, call: ast.Call, scope: _Scope) -> str | None:
        for kw in call.keywords:
            if kw.arg == "revision":
                values = {str(lit.value) for lit in self.literals(kw.value, scope)}
                if len(values) == 1:
                    return values.pop()
        return None

    def _call(self, call: ast.Call, scope: _Scope) -> None:
        name = _callee(call.func)
        keywords = {kw.arg: kw.value for kw in call.keywords if kw.arg is not None}
        spec = LOADERS.get(name or "")
        if spec is not None and not self._non_model_repo(keywords, scope):
            revision = self._revision(call, scope)
            for pos in spec.positions:
                if pos < len(call.args) and not isinstance(call.args[pos], ast.Starred):
                    lits = self.literals(call.args[pos], scope)
                    if lits:
                        for lit in lits:
                            self._loader_literal(lit, spec, str(name), revision)
                        break
            for kw_name in spec.keywords:
                for lit in self.literals(keywords.get(kw_name), scope):
                    self._loader_literal(lit, spec, str(name), revision)
        elif name == "add_argument":
            self._argparse(call, keywords, scope)
        if not (name or "").startswith(_WRITE_CALLS) and not self._non_model_repo(keywords, scope):
            # Hugging Face keywords on any call: Trainer configs, LoraConfig, ...
            taken = spec.keywords if spec is not None else ()
            for kw_name, value in keywords.items():
                if kw_name in ANY_CALL_KEYWORDS and kw_name not in taken:
                    for lit in self.literals(value, scope):
                        self._add(lit, f"{kw_name}=", single=kw_name in LENIENT_KEYS)
        # `hf-hub:org/name` (timm, open_clip) is unambiguous wherever it is passed.
        for arg in [*call.args, *keywords.values()]:
            if (
                isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and _HF_HUB_PREFIX.match(arg.value)
            ):
                self._prefixed(arg)

    def _non_model_repo(self, keywords: dict[str, ast.expr], scope: _Scope) -> bool:
        values = {str(lit.value) for lit in self.literals(keywords.get("repo_type"), scope)}
        return bool(values) and values <= _NON_MODEL_REPO_TYPES

    def _loader_literal(
        self, lit: ast.Constant, spec: _Spec, via: str, revision: str | None
    ) -> None:
        value = str(lit.value).strip()
        if _HF_HUB_PREFIX.match(value):
            self._prefixed(lit)
            return
        if (
            spec.prefix_single
            and "/" not in value
            and not _PLAIN_TRANSFORMERS.match(value)
            and is_model_id(value, allow_single=True)
        ):
            self.refs.append(
                PyRef(
                    lit.lineno,
                    lit.col_offset + 1,
                    f"{spec.prefix_single}/{value}",
                    _normal_revision(revision),
                    via,
                )
            )
            return
        self._add(lit, via, single=spec.single, revision=revision)

    def _prefixed(self, lit: ast.Constant) -> None:
        value = _HF_HUB_PREFIX.sub("", str(lit.value)).strip()
        repo_id, _, rev = value.partition("@")
        if is_model_id(repo_id):
            self.refs.append(
                PyRef(lit.lineno, lit.col_offset + 1, repo_id, _normal_revision(rev), "hf-hub:")
            )

    def _argparse(self, call: ast.Call, keywords: dict[str, ast.expr], scope: _Scope) -> None:
        options = [
            str(a.value).lstrip("-").replace("-", "_")
            for a in call.args
            if isinstance(a, ast.Constant) and isinstance(a.value, str)
        ]
        dest = keywords.get("dest")
        if isinstance(dest, ast.Constant) and isinstance(dest.value, str):
            options.append(dest.value)
        keys = [o for o in options if o in MODEL_KEYS]
        if keys and "default" in keywords:
            for lit in self.literals(keywords["default"], scope):
                self._add(lit, f"--{keys[0]}", single=keys[0] in LENIENT_KEYS)

    def _field(self, node: ast.AnnAssign, scope: _Scope) -> None:
        # @dataclass class ModelArguments: model_name_or_path: str = field(default="gpt2")
        if not isinstance(node.target, ast.Name) or node.target.id not in LENIENT_KEYS:
            return
        value = node.value
        if isinstance(value, ast.Call) and _callee(value.func) == "field":
            value = next((kw.value for kw in value.keywords if kw.arg == "default"), None)
        for lit in self.literals(value, scope):
            self._add(lit, f"field:{node.target.id}", single=True)

    def _dict(self, node: ast.Dict, scope: _Scope) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in MODEL_KEYS:
                single = key.value in LENIENT_KEYS and key.value not in STRICT_KEYS
                for lit in self.literals(value, scope):
                    self._add(lit, f"key:{key.value}", single=single)

    def _urls(self, node: ast.Constant) -> None:
        text = str(node.value)
        for url in find_urls(text):
            line, col = node.lineno, node.col_offset + 1
            # A multi-line string: place the URL on its own line.
            before = text[: url.start]
            if "\n" in before:
                line += before.count("\n")
                col = len(before) - before.rfind("\n")
            self.refs.append(PyRef(line, col, url.repo_id, _normal_revision(url.revision), "url"))

"""The project's error hierarchy: one root, one base per pipeline stage.

The CLI catches these bases only; anything else is a bug. Every message is a single line
that names the file (and place) or the model it concerns.
"""

from __future__ import annotations


class LicensecheckError(Exception):
    """Root of every error licensecheck raises on purpose."""


class UsageError(LicensecheckError):
    """Bad arguments or configuration: exit status 2, nothing was judged."""


class LockDamaged(UsageError):
    """A lock file that reads but does not parse (merge-conflict markers, bad JSON, a shape
    or version this licensecheck does not read): `scan` refuses it, `lock` regenerates it."""


class SourceError(LicensecheckError):
    """A model could not be read from its source (Hub, local directory, cache, lock).

    `kind` is one of the report's error kinds: not-found, gated, network, invalid.
    """

    def __init__(self, kind: str, message: str) -> None:
        from licensecheck.redact import one_line

        # The message may quote a Hub answer or a URL: never a token, always one line.
        message = one_line(message, 2000)
        super().__init__(message)
        self.kind = kind
        self.message = message


class KnowledgeError(LicensecheckError):
    """The licence knowledge base is broken (a data file fails its schema)."""


class PolicyError(UsageError):
    """An invalid policy file. Holds one message per problem, each file:line:column."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            problems[0] if len(problems) == 1 else f"{len(problems)} problems in policy"
        )
        self.problems = problems

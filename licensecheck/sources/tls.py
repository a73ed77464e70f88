"""The CA bundle for the Hub's certificate, from the variables users already set.

huggingface_hub's HTTP client (httpx2, through httpcore2's `default_ssl_context`) trusts
`SSL_CERT_FILE`, else `SSL_CERT_DIR`, else the system's store; it does not read
`REQUESTS_CA_BUNDLE` or `CURL_CA_BUNDLE`, which corporate machines set for requests and
curl (and which huggingface_hub before 1.0, on requests, honoured). The CLI owns its
process, so before the client is made it turns the first of those into the variable httpx
reads (a directory into `SSL_CERT_DIR`), and refuses one that is not there with a usage
error, not a traceback at the first request. Used as a library, licensecheck leaves
the environment alone: the client is the application's.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

from licensecheck.errors import UsageError

# What httpx reads, then what requests and curl read, in the order they are honoured.
CA_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def apply_ca_environment(environ: MutableMapping[str, str] | None = None) -> str | None:
    """Make the CA bundle the user set visible to httpx; the variable in effect, or None
    (the system's store). UsageError when it names nothing loadable."""
    env = os.environ if environ is None else environ
    for name in CA_VARIABLES:
        value = env.get(name)
        if not value:
            continue
        _check(name, value)
        if name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            env["SSL_CERT_DIR" if os.path.isdir(value) else "SSL_CERT_FILE"] = value
        return name
    return None


def _check(name: str, value: str) -> None:
    """The bundle is there and readable. Parsing it is left to the client (a system bundle
    costs ~90 ms to load, on every online run's start): one that is no CA bundle fails the
    client's set-up, a one-line network error (`hub._session`)."""
    if not os.path.exists(value):
        raise UsageError(f"{name}={value!r}: not a CA bundle (no such file or directory)")
    if not os.access(value, os.R_OK):
        raise UsageError(f"{name}={value!r}: not a CA bundle (cannot be read)")

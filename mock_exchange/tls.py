"""Local TLS for `kraken-mock serve --tls`: a certificate authority of our own and a server
certificate signed by it, so that clients which insist on https/wss (python-kraken-sdk's
WebSocket client, Kraken's CLI) can talk to the simulator.

Job
---
`prepare(directory, host)` writes, in `directory` (or a fresh temporary one):

* `kraken-mock-ca.pem`   the CA certificate: what clients must trust (docs/tls.md);
* `server.pem`, `server.key`   the server's certificate chain and private key (mode 0600),
  valid for 127.0.0.1, ::1, localhost and the configured host when it is a specific one;
* `kraken-mock-ca.key`   the CA's private key (0600), only in a directory the user named, so
  a restart with the same `--tls-dir` keeps the same CA and clients keep trusting it.

Invariants
----------
* trustme (and through it `cryptography`) is imported here only, inside `prepare`: serving
  without `--tls` never needs it.
* A directory the user named is never deleted; a temporary one is removed by `TlsFiles.cleanup`
  (called when the server stops).
* The server certificate is issued anew on every start (cheap); the CA is reused when the
  directory already holds both of its files, and a CA that cannot be read is an error, never
  silently replaced (that would break every client that trusts the old one).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

CA_FILE = "kraken-mock-ca.pem"
CA_KEY_FILE = "kraken-mock-ca.key"
CERT_FILE = "server.pem"
KEY_FILE = "server.key"
LOCAL_NAMES = ("127.0.0.1", "::1", "localhost")
_WILDCARD = ("0.0.0.0", "::", "")


class TlsError(Exception):
    """TLS files that cannot be made or read, with the path concerned."""


@dataclass(frozen=True)
class TlsFiles:
    directory: Path
    ca_file: Path
    cert_file: Path
    key_file: Path
    names: tuple[str, ...]  # what the server certificate is valid for
    reused_ca: bool  # the CA came from an earlier run in the same directory
    temporary: bool  # `directory` was made for this run and goes with `cleanup`

    def cleanup(self) -> None:
        if self.temporary:
            shutil.rmtree(self.directory, ignore_errors=True)


def server_names(host: str) -> tuple[str, ...]:
    """The names the server certificate covers: the local ones, plus `host` if specific."""
    host = host.strip().strip("[]")
    if host in _WILDCARD or host.lower() in LOCAL_NAMES:
        return LOCAL_NAMES
    with contextlib.suppress(ValueError):
        host = str(ipaddress.ip_address(host))  # canonical form, e.g. for IPv6
    return (*LOCAL_NAMES, host) if host not in LOCAL_NAMES else LOCAL_NAMES


def prepare(directory: str | Path | None, host: str = "127.0.0.1") -> TlsFiles:
    """Make (or reuse) the CA and issue a server certificate; see the module docstring."""
    try:
        import trustme
    except ImportError:
        raise TlsError("--tls needs the trustme package: pip install 'trustme>=1.2'") from None

    temporary = directory is None
    if directory is None:
        folder = Path(tempfile.mkdtemp(prefix="kraken-mock-tls-"))
    else:
        folder = Path(directory).expanduser().resolve()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        ca_file, ca_key = folder / CA_FILE, folder / CA_KEY_FILE
        reused = not temporary and ca_file.is_file() and ca_key.is_file()
        if reused:
            try:
                ca = trustme.CA.from_pem(ca_file.read_bytes(), ca_key.read_bytes())
            except (ValueError, TypeError) as exc:
                raise TlsError(
                    f"{folder}: {CA_FILE}/{CA_KEY_FILE} are not a usable CA ({exc}); "
                    "remove them to make a new one"
                ) from None
        else:
            ca = trustme.CA(organization_name="kraken-futures-mock")
            if not temporary:
                _write(ca_key, ca.private_key_pem.bytes(), private=True)
            _write(ca_file, ca.cert_pem.bytes(), private=False)
        names = server_names(host)
        leaf = ca.issue_cert(*names, organization_name="kraken-futures-mock")
        cert_file, key_file = folder / CERT_FILE, folder / KEY_FILE
        _write(cert_file, b"".join(blob.bytes() for blob in leaf.cert_chain_pems), private=False)
        _write(key_file, leaf.private_key_pem.bytes(), private=True)
    except OSError as exc:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
        raise TlsError(f"cannot write TLS files in {folder}: {exc.strerror or exc}") from None
    except TlsError:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return TlsFiles(folder, ca_file, cert_file, key_file, names, reused, temporary)


def _write(path: Path, data: bytes, private: bool) -> None:
    """Write `data` to `path`; a private file is created readable by its owner only."""
    mode = 0o600 if private else 0o644
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(path, mode)  # an existing file keeps its old mode through O_CREAT
